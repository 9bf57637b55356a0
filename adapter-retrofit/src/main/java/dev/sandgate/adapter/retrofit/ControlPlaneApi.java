package dev.sandgate.adapter.retrofit;

import java.util.List;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.DELETE;
import retrofit2.http.GET;
import retrofit2.http.POST;
import retrofit2.http.PUT;
import retrofit2.http.Path;
import retrofit2.http.Query;

/**
 * The control-plane routes of the wire protocol (section b), relative to the API base ({@code …/v0/}). Bodies are
 * {@link Wire} records through Moshi; {@link SandgateCallAdapterFactory} turns every other outcome into a domain
 * error.
 */
interface ControlPlaneApi {
    @POST("sandboxes")
    Call<Wire.Sandbox> createSandbox(@Body Wire.Sandbox sandbox, @Query("createIfNotExist") Boolean createIfNotExist);

    @GET("sandboxes/{name}")
    Call<Wire.Sandbox> getSandbox(@Path("name") String name);

    @GET("sandboxes")
    Call<Wire.SandboxList> listSandboxes();

    @PUT("sandboxes/{name}")
    Call<Wire.Sandbox> updateSandbox(@Path("name") String name, @Body Wire.Sandbox sandbox);

    @DELETE("sandboxes/{name}")
    Call<Wire.Sandbox> deleteSandbox(@Path("name") String name);

    @POST("sandboxes/{sandbox}/previews")
    Call<Wire.Preview> createPreview(@Path("sandbox") String sandbox, @Body Wire.Preview preview);

    @GET("sandboxes/{sandbox}/previews")
    Call<List<Wire.Preview>> listPreviews(@Path("sandbox") String sandbox);

    @GET("sandboxes/{sandbox}/previews/{preview}")
    Call<Wire.Preview> getPreview(@Path("sandbox") String sandbox, @Path("preview") String preview);

    @PUT("sandboxes/{sandbox}/previews/{preview}")
    Call<Wire.Preview> updatePreview(@Path("sandbox") String sandbox, @Path("preview") String preview,
                                     @Body Wire.Preview body);

    @DELETE("sandboxes/{sandbox}/previews/{preview}")
    Call<Wire.Preview> deletePreview(@Path("sandbox") String sandbox, @Path("preview") String preview);

    @POST("sandboxes/{sandbox}/previews/{preview}/tokens")
    Call<Wire.Token> createToken(@Path("sandbox") String sandbox, @Path("preview") String preview,
                                 @Body Wire.Token token);

    @GET("sandboxes/{sandbox}/previews/{preview}/tokens")
    Call<List<Wire.Token>> listTokens(@Path("sandbox") String sandbox, @Path("preview") String preview);

    @DELETE("sandboxes/{sandbox}/previews/{preview}/tokens/{token}")
    Call<Wire.Token> deleteToken(@Path("sandbox") String sandbox, @Path("preview") String preview,
                                 @Path("token") String token);

    /** Sandgate's own: renewal in place (docs/wire-compatibility.md). */
    @POST("sandboxes/{sandbox}/sessions/{session}/renew")
    Call<Wire.Preview> renewSession(@Path("sandbox") String sandbox, @Path("session") String session,
                                    @Body Wire.RenewSession body);

    /** Sandgate's own: revoke-all (docs/wire-compatibility.md). */
    @POST("sandboxes/{sandbox}/sessions/revoke")
    Call<Wire.Revoked> revokeSessions(@Path("sandbox") String sandbox, @Body Wire.RevokeSessions body);
}
