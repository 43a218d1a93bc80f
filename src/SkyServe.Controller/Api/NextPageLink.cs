using Microsoft.AspNetCore.Http.Extensions;

namespace SkyServe.Controller.Api;

/// <summary>
/// The RFC 8288 <c>Link: &lt;URL&gt;; rel="next"</c> header of a paged list (as GitHub's API gives it): the same
/// path with the next page's query. Absent on the last page.
/// </summary>
internal static class NextPageLink
{
    public static void Set(HttpContext http, int limit, string cursor)
    {
        var request = http.Request;
        var query = QueryString.Create([
            new KeyValuePair<string, string?>("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new KeyValuePair<string, string?>(ServiceListCursor.Parameter, cursor),
        ]);
        var next = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query);
        http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
    }
}
