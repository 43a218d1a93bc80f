using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Core.Catalog;
using SkyServe.Core.Placement;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Tests.SpecKeys;

/// <summary>
/// What a launch asks the cloud for besides the offering (disk, image, labels), for each place the spec may run: the
/// settings the reconciler puts on every LaunchRequest (<see cref="ResourceResolver.MachineFor"/>); the providers' tests
/// show each setting reaching the cloud's wire format.
/// </summary>
internal static class MachineBehaviour
{
    public static JsonNode Of(ServiceSpec spec, IReadOnlyList<PlacementOption> options, IReadOnlyList<InstanceOffering> catalog)
    {
        var settings = options
            .Select(option => catalog.FirstOrDefault(o => o.Cloud == option.Location.Cloud && o.Region == option.Location.Region
                && o.Zone == option.Location.Zone && o.InstanceType == option.InstanceType))
            .Select(offering => JsonSerializer.Serialize(ResourceResolver.MachineFor(spec.Resources, offering)))
            .Distinct()
            .Order(StringComparer.Ordinal);
        return new JsonArray([.. settings.Select(text => JsonNode.Parse(text))]);
    }
}
