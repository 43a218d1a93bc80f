using System.Reflection;

namespace SkyServe.Controller.Dashboard;

/// <summary>
/// The operator's dashboard at <c>/</c>: plain HTML, CSS and one script, embedded in this assembly (no build step, nothing
/// fetched from the internet), that read only the public REST API. The page itself holds no data, so it is served to
/// anyone; its reads honour the API's auth (anonymous reads if allowed, else a token the page asks for).
/// </summary>
public static class DashboardEndpoints
{
    private static readonly Assembly Assembly = typeof(DashboardEndpoints).Assembly;
    private const string Prefix = "SkyServe.Controller.Dashboard.site.";

    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
    };

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => File("index.html")).ExcludeFromDescription();
        app.MapGet("/dashboard/{file}", (string file) => File(file)).ExcludeFromDescription();
    }

    private static IResult File(string file)
    {
        if (file.Contains('/') || !Types.TryGetValue(Path.GetExtension(file), out var type) || Assembly.GetManifestResourceStream(Prefix + file) is not { } stream)
            return Results.NotFound();
        return Results.Stream(stream, type);
    }
}
