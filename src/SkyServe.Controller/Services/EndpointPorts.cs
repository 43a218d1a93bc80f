using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Routing;

namespace SkyServe.Controller.Services;

/// <summary>
/// Gives a new service its own endpoint port: the lowest one of the configured range no service holds. The column is
/// unique, so two controllers racing for one port make one of the creations retry.
/// </summary>
public sealed class EndpointPorts(RoutingOptions options)
{
    /// <summary>The port, or null when the range is used up (the service is then served on the shared port only).</summary>
    public async Task<int?> FreeAsync(ControllerDb db, CancellationToken ct)
    {
        var taken = (await db.Services.Where(s => s.EndpointPort != null).Select(s => s.EndpointPort!.Value).ToListAsync(ct)).ToHashSet();
        for (var port = options.FirstServicePort; port <= options.LastServicePort; port++)
        {
            if (!taken.Contains(port))
                return port;
        }
        return null;
    }
}
