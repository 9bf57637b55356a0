package dev.sandgate.adapter.retrofit;

import java.util.List;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.DELETE;
import retrofit2.http.GET;
import retrofit2.http.Headers;
import retrofit2.http.Multipart;
import retrofit2.http.POST;
import retrofit2.http.PUT;
import retrofit2.http.Part;
import retrofit2.http.Path;
import retrofit2.http.Query;
import retrofit2.http.Streaming;

/**
 * The sandbox-API routes (section c), relative to one data-plane base: a sandbox's {@code metadata.url} or a
 * session's {@code url}, each with a Retrofit of its own. Path parameters arrive already encoded as the SDK encodes
 * them ({@link WireJson#segment}: {@code /tmp/a.txt} is the one segment {@code %2Ftmp%2Fa.txt}). The streamed answers
 * (NDJSON exec, the log stream, watch) are read line by line from their raw body.
 */
interface DataPlaneApi {
    @POST("process")
    Call<Wire.Process> exec(@Body Wire.ProcessRequest request);

    @Streaming
    @Headers("Accept: text/event-stream")
    @POST("process")
    Call<ResponseBody> execStream(@Body Wire.ProcessRequest request);

    @GET("process")
    Call<List<Wire.Process>> listProcesses();

    @GET("process/{id}")
    Call<Wire.Process> getProcess(@Path(value = "id", encoded = true) String id);

    @DELETE("process/{id}")
    Call<Wire.Message> stopProcess(@Path(value = "id", encoded = true) String id);

    @DELETE("process/{id}/kill")
    Call<Wire.Message> killProcess(@Path(value = "id", encoded = true) String id);

    /** The raw bytes, as the SDK sends them (not JSON-encoded). */
    @POST("process/{id}/stdin")
    Call<Wire.Message> writeStdin(@Path(value = "id", encoded = true) String id, @Body RequestBody data);

    @DELETE("process/{id}/stdin")
    Call<Wire.Message> closeStdin(@Path(value = "id", encoded = true) String id);

    @GET("process/{id}/logs")
    Call<Wire.Logs> logs(@Path(value = "id", encoded = true) String id);

    @Streaming
    @GET("process/{id}/logs/stream")
    Call<ResponseBody> streamLogs(@Path(value = "id", encoded = true) String id);

    /** The log stream as a Sandgate broker's NDJSON, with cursors, resumed after {@code since} when given. */
    @Streaming
    @Headers("Accept: application/x-ndjson")
    @GET("process/{id}/logs/stream")
    Call<ResponseBody> streamLogsAfter(@Path(value = "id", encoded = true) String id,
                                       @retrofit2.http.Query("since") Long since);

    @GET("filesystem/{path}")
    Call<Wire.FileOrDirectory> file(@Path(value = "path", encoded = true) String path);

    @Headers("Accept: application/octet-stream")
    @GET("filesystem/{path}")
    Call<ResponseBody> download(@Path(value = "path", encoded = true) String path);

    /** {@code fs.mkdir} ({@code {"isDirectory":true,"permissions":…}}) and text writes ({@code {"content":…}}). */
    @PUT("filesystem/{path}")
    Call<Wire.Message> write(@Path(value = "path", encoded = true) String path, @Body Wire.FileWrite body);

    @Multipart
    @PUT("filesystem/{path}")
    Call<Wire.Message> upload(@Path(value = "path", encoded = true) String path, @Part MultipartBody.Part file,
                              @Part("permissions") RequestBody permissions, @Part("path") RequestBody filePath);

    @DELETE("filesystem/{path}")
    Call<Wire.Message> remove(@Path(value = "path", encoded = true) String path,
                              @Query("recursive") boolean recursive);

    @GET("filesystem-find/{path}")
    Call<Wire.FindResponse> find(@Path(value = "path", encoded = true) String path, @Query("type") String type,
                                 @Query("patterns") String patterns, @Query("maxResults") int maxResults,
                                 @Query("excludeDirs") String excludeDirs,
                                 @Query("excludeHidden") Boolean excludeHidden);

    @GET("filesystem-content-search/{path}")
    Call<Wire.GrepResponse> grep(@Path(value = "path", encoded = true) String path, @Query("query") String query,
                                 @Query("maxResults") int maxResults, @Query("caseSensitive") Boolean caseSensitive,
                                 @Query("contextLines") Integer contextLines,
                                 @Query("filePattern") String filePattern, @Query("excludeDirs") String excludeDirs);

    @Streaming
    @GET("watch/filesystem/{path}")
    Call<ResponseBody> watch(@Path(value = "path", encoded = true) String path, @Query("ignore") String ignore);
}
