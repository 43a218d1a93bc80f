using SkyServe.Contracts.Agent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Core.Catalog;
using SkyServe.Core.Spec;
using SkyServe.Providers.Boot;

namespace SkyServe.Providers.Gcp;

/// <summary>Builds the body of instances.insert for one launch (Compute Engine API v1 Instance resource).</summary>
internal static class GceInstanceRequest
{
    /// <summary>Metadata key of the exact machine tags (labels may be encoded, see <see cref="GceLabels"/>).</summary>
    public const string TagsKey = "skyserve-tags";
    public const string ClientTokenKey = "skyserve-client-token";
    public const string StartupScriptKey = "startup-script";
    public const string ComputeScope = "https://www.googleapis.com/auth/cloud-platform";

    /// <param name="instance">The catalog entry, when the catalog knows the type: it says whether GPUs must be attached.</param>
    public static JsonObject Build(GcpProviderOptions options, LaunchRequest request, string name, InstanceOffering? instance)
    {
        var key = request.Offering;
        var zone = key.Zone;
        var machineId = new GceMachineId(zone, name).ToString();
        var (diskType, diskIops) = GceBootDisk.For(request.Machine, key.InstanceType, instance?.VCpus, options.BootDiskType);
        var initializeParams = new JsonObject
        {
            ["sourceImage"] = LaunchImage.ForVm(request, "GCP") ?? options.Image,
            ["diskSizeGb"] = request.Machine.DiskSizeGb.ToString(CultureInfo.InvariantCulture),
            ["diskType"] = $"zones/{zone}/diskTypes/{diskType}",
        };
        if (diskIops is { } iops)
            initializeParams["provisionedIops"] = iops.ToString(CultureInfo.InvariantCulture);
        var body = new JsonObject
        {
            ["name"] = name,
            ["machineType"] = $"zones/{zone}/machineTypes/{key.InstanceType}",
            ["labels"] = ToJson(Labels(request)),
            ["metadata"] = new JsonObject
            {
                ["items"] = new JsonArray(
                    Item(StartupScriptKey, AgentBootScript.Render(options.Agent, machineId, request.Agent, MetadataFormats.Gcp, "http://metadata.google.internal")),
                    Item(TagsKey, JsonSerializer.Serialize(request.Tags)),
                    Item(ClientTokenKey, request.ClientToken)),
            },
            ["disks"] = new JsonArray(new JsonObject
            {
                ["boot"] = true,
                ["autoDelete"] = true,
                ["initializeParams"] = initializeParams,
            }),
            ["networkInterfaces"] = new JsonArray(NetworkInterface(options, key.Region)),
            // GPU VMs cannot live-migrate: host maintenance stops them. Spot VMs are deleted when preempted, so a
            // reclaimed replica leaves nothing behind; on-demand ones restart after maintenance.
            ["scheduling"] = key.Spot
                ? new JsonObject
                {
                    ["provisioningModel"] = "SPOT",
                    ["instanceTerminationAction"] = "DELETE",
                    ["onHostMaintenance"] = "TERMINATE",
                    ["automaticRestart"] = false,
                }
                : new JsonObject
                {
                    ["provisioningModel"] = "STANDARD",
                    ["onHostMaintenance"] = "TERMINATE",
                    ["automaticRestart"] = true,
                },
        };
        if (instance is { AttachedAccelerator: true, AcceleratorName: { } gpu })
            body["guestAccelerators"] = new JsonArray(new JsonObject
            {
                ["acceleratorType"] = $"zones/{zone}/acceleratorTypes/{AcceleratorType(gpu)}",
                ["acceleratorCount"] = instance.AcceleratorCount,
            });
        if (options.MachineServiceAccount is { } account)
            body["serviceAccounts"] = new JsonArray(new JsonObject { ["email"] = account, ["scopes"] = new JsonArray(ComputeScope) });
        return body;
    }

    /// <summary>SkyPilot accelerator names → GCE accelerator types (for GPUs attached to N1 hosts).</summary>
    public static string AcceleratorType(string accelerator) => accelerator.ToUpperInvariant() switch
    {
        "T4" => "nvidia-tesla-t4",
        "V100" => "nvidia-tesla-v100",
        "P100" => "nvidia-tesla-p100",
        "P4" => "nvidia-tesla-p4",
        "K80" => "nvidia-tesla-k80",
        "L4" => "nvidia-l4",
        "A100" => "nvidia-tesla-a100",
        "A100-80GB" => "nvidia-a100-80gb",
        "H100" => "nvidia-h100-80gb",
        _ => "nvidia-" + accelerator.ToLowerInvariant(),
    };

    private static JsonObject NetworkInterface(GcpProviderOptions options, string region)
    {
        var nic = new JsonObject { ["network"] = options.Network };
        if (options.Subnetwork is { } subnetwork)
            nic["subnetwork"] = subnetwork.Replace("{region}", region, StringComparison.Ordinal);
        if (options.ExternalIp)
            nic["accessConfigs"] = new JsonArray(new JsonObject { ["type"] = "ONE_TO_ONE_NAT", ["name"] = "External NAT" });
        return nic;
    }

    /// <summary>
    /// The machine tags as labels, and the spec's labels as they are: GCP's rules are checked here rather than letting
    /// the insert fail (the spec reader checks them already when GCP is a candidate).
    /// </summary>
    private static Dictionary<string, string> Labels(LaunchRequest request)
    {
        var labels = GceLabels.FromTags(request.Tags);
        foreach (var (key, value) in LaunchLabels.Of(request))
        {
            if (MachineLabels.GcpProblem(key, value) is { } problem)
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, problem);
            if (!labels.TryAdd(key, value))
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"label '{key}' would replace a machine tag's label");
        }
        return labels;
    }

    private static JsonObject Item(string key, string value) => new() { ["key"] = key, ["value"] = value };

    private static JsonObject ToJson(Dictionary<string, string> labels)
    {
        var json = new JsonObject();
        foreach (var (k, v) in labels)
            json[k] = v;
        return json;
    }
}
