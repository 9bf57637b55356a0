package dev.sandgate.adapter.retrofit;

import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.DELETE;
import retrofit2.http.GET;
import retrofit2.http.POST;
import retrofit2.http.PUT;
import retrofit2.http.Path;
import retrofit2.http.Query;

/**
 * The control-plane routes of the wire protocol, relative to the API base ({@code …/v0/}). Bodies are read and
 * written as raw JSON so that one place ({@link WireJson}) maps them and every malformed body becomes a typed error.
 */
interface ControlPlaneApi {
    @POST("sandboxes")
    Call<ResponseBody> createSandbox(@Body RequestBody sandbox, @Query("createIfNotExist") Boolean createIfNotExist);

    @GET("sandboxes/{name}")
    Call<ResponseBody> getSandbox(@Path("name") String name);

    @GET("sandboxes")
    Call<ResponseBody> listSandboxes();

    @PUT("sandboxes/{name}")
    Call<ResponseBody> updateSandbox(@Path("name") String name, @Body RequestBody sandbox);

    @DELETE("sandboxes/{name}")
    Call<ResponseBody> deleteSandbox(@Path("name") String name);

    @POST("sandboxes/{sandbox}/previews")
    Call<ResponseBody> createPreview(@Path("sandbox") String sandbox, @Body RequestBody preview);

    @GET("sandboxes/{sandbox}/previews")
    Call<ResponseBody> listPreviews(@Path("sandbox") String sandbox);

    @GET("sandboxes/{sandbox}/previews/{preview}")
    Call<ResponseBody> getPreview(@Path("sandbox") String sandbox, @Path("preview") String preview);

    @PUT("sandboxes/{sandbox}/previews/{preview}")
    Call<ResponseBody> updatePreview(@Path("sandbox") String sandbox, @Path("preview") String preview,
                                     @Body RequestBody body);

    @DELETE("sandboxes/{sandbox}/previews/{preview}")
    Call<ResponseBody> deletePreview(@Path("sandbox") String sandbox, @Path("preview") String preview);

    @POST("sandboxes/{sandbox}/previews/{preview}/tokens")
    Call<ResponseBody> createToken(@Path("sandbox") String sandbox, @Path("preview") String preview,
                                   @Body RequestBody token);

    @GET("sandboxes/{sandbox}/previews/{preview}/tokens")
    Call<ResponseBody> listTokens(@Path("sandbox") String sandbox, @Path("preview") String preview);

    @DELETE("sandboxes/{sandbox}/previews/{preview}/tokens/{token}")
    Call<ResponseBody> deleteToken(@Path("sandbox") String sandbox, @Path("preview") String preview,
                                   @Path("token") String token);
}
