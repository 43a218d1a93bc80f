using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace SkyServe.Controller.Routing;

/// <summary>
/// How controllers sharing one PostgreSQL tell each other which services' routes a write changed:
/// <c>NOTIFY skyserve_routes, '12,40,41'</c> (service ids, comma-separated), listened to by <see cref="RouteChangeListener"/>.
/// </summary>
public static class RouteNotifications
{
    public const string Channel = "skyserve_routes";

    /// <summary>PostgreSQL refuses a payload of 8000 bytes or more; ids are ASCII, so characters are bytes.</summary>
    public const int MaxPayload = 7900;

    /// <summary>The ids as few payloads as fit.</summary>
    public static IEnumerable<string> Payloads(IEnumerable<long> serviceIds, int maxPayload = MaxPayload)
    {
        var payload = new StringBuilder();
        foreach (var id in serviceIds)
        {
            var text = id.ToString(CultureInfo.InvariantCulture);
            if (payload.Length > 0 && payload.Length + 1 + text.Length > maxPayload)
            {
                yield return payload.ToString();
                payload.Clear();
            }
            if (payload.Length > 0)
                payload.Append(',');
            payload.Append(text);
        }
        if (payload.Length > 0)
            yield return payload.ToString();
    }

    /// <summary>The ids of a payload; anything unreadable is skipped (the periodic full recompute covers it).</summary>
    public static IEnumerable<long> Parse(string payload)
    {
        foreach (var part in payload.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                yield return id;
    }

    /// <summary>
    /// Sends the notices on the context's connection: inside its transaction when one is open, so PostgreSQL delivers
    /// them at the commit (after the rows are visible) and never for a rollback. Nothing on another database.
    /// </summary>
    public static async Task SendAsync(DbContext context, IReadOnlyCollection<long> serviceIds, CancellationToken ct)
    {
        if (serviceIds.Count == 0 || !context.Database.IsNpgsql())
            return;
        foreach (var payload in Payloads(serviceIds))
            await context.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", ct);
    }

    public static void Send(DbContext context, IReadOnlyCollection<long> serviceIds)
    {
        if (serviceIds.Count == 0 || !context.Database.IsNpgsql())
            return;
        foreach (var payload in Payloads(serviceIds))
            context.Database.ExecuteSql($"SELECT pg_notify({Channel}, {payload})");
    }
}
