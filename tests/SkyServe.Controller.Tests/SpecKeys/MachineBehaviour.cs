using System.Text.Json.Nodes;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Tests.SpecKeys;

/// <summary>What a launch asks the cloud for besides the offering: disk, image, labels.</summary>
internal static class MachineBehaviour
{
    public static JsonNode? Of(ServiceSpec spec, IReadOnlyList<PlacementOption> options) => null;
}
