using SkyServe.Cloud.Emulators.Gcp;
using SkyServe.Testing;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Providers.Tests.Gcp;

/// <summary>The custom role in config/cloud-roles is enough for everything the provider does, and holds nothing the emulator never asked for.</summary>
public sealed class GcpRoleTests
{
    private static HashSet<string> RolePermissions()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Config, "cloud-roles", "gcp-provider-role.yaml"))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return ((YamlSequenceNode)root["includedPermissions"]).Select(n => ((YamlScalarNode)n).Value!).ToHashSet();
    }

    [Fact]
    public async Task The_provider_works_with_exactly_the_custom_roles_permissions()
    {
        var permissions = RolePermissions();
        await using var testbed = await GcpTestbed.StartAsync(new GceEmulatorOptions
        {
            Zones = ["us-central1-a", "us-central1-b"],
            MachineTypes = new HashSet<string> { "n1-standard-4" },
            Permissions = permissions,
        });
        using var provider = await testbed.ProviderAsync();
        await using var notices = new NoticeCollector(provider);
        var tags = new Dictionary<string, string> { [MachineTags.ManagedBy] = "skyserve" };
        var machine = await provider.LaunchAsync(new LaunchRequest("token-role", GcpTestbed.Offering("us-central1-a", "n1-standard-4", spot: true), tags), CancellationToken.None);
        Assert.NotNull(await provider.GetAsync(machine.Id, CancellationToken.None));
        Assert.Single(await provider.ListAsync(tags, CancellationToken.None));
        testbed.Gce.Preempt("us-central1-a", machine.Id.Split('/')[1]);
        Assert.Single(await notices.AtLeastAsync(1));
        await provider.TerminateAsync(machine.Id, CancellationToken.None);

        Assert.Subset(permissions, testbed.Gce.PermissionsChecked.ToHashSet());
        Assert.Superset(permissions, testbed.Gce.PermissionsChecked.ToHashSet());
    }
}
