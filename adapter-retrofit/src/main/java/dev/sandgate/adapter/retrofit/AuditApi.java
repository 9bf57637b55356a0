package dev.sandgate.adapter.retrofit;

import java.util.List;
import retrofit2.Call;
import retrofit2.http.GET;
import retrofit2.http.Path;
import retrofit2.http.Query;

/**
 * Sandgate's own control-plane route for a sandbox's audit trail, relative to the API base ({@code …/v0/}); a
 * {@code null} parameter is left out of the query.
 */
interface AuditApi {
    @GET("sandboxes/{sandbox}/audit")
    Call<Page> audit(@Path("sandbox") String sandbox, @Query("session") String session,
                     @Query("subject") String subject, @Query("operation") String operation,
                     @Query("since") String since, @Query("limit") Integer limit, @Query("cursor") String cursor);

    /** {@code {"entries":[...],"nextCursor":...}}. */
    record Page(List<Entry> entries, String nextCursor) {
    }

    /** One entry, as the broker writes it (absent values are left out). */
    record Entry(String id, String time, String sandbox, String session, String subject, String credential,
                 String operation, String target, Integer status, String code, String client) {
    }
}
