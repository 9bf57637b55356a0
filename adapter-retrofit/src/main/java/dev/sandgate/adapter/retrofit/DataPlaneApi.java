package dev.sandgate.adapter.retrofit;

import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.DELETE;
import retrofit2.http.GET;
import retrofit2.http.Header;
import retrofit2.http.Multipart;
import retrofit2.http.POST;
import retrofit2.http.PUT;
import retrofit2.http.Part;
import retrofit2.http.Query;
import retrofit2.http.Streaming;
import retrofit2.http.Url;

/**
 * The sandbox-API routes. Every sandbox (and every session) has its own base URL, so callers pass absolute URLs
 * built with {@link okhttp3.HttpUrl}, which percent-encodes a path parameter as one segment ({@code %2Ftmp%2Fa}),
 * as the SDK does.
 */
interface DataPlaneApi {
    @POST
    Call<ResponseBody> exec(@Url String url, @Body RequestBody request);

    @Streaming
    @POST
    Call<ResponseBody> execStream(@Url String url, @Header("Accept") String accept, @Body RequestBody request);

    @GET
    Call<ResponseBody> get(@Url String url);

    @GET
    Call<ResponseBody> get(@Url String url, @Header("Accept") String accept);

    @Streaming
    @GET
    Call<ResponseBody> stream(@Url String url);

    @DELETE
    Call<ResponseBody> delete(@Url String url);

    @DELETE
    Call<ResponseBody> delete(@Url String url, @Query("recursive") boolean recursive);

    @PUT
    Call<ResponseBody> put(@Url String url, @Body RequestBody body);

    @Multipart
    @PUT
    Call<ResponseBody> putMultipart(@Url String url, @Part MultipartBody.Part file,
                                    @Part("permissions") RequestBody permissions, @Part("path") RequestBody path);
}
