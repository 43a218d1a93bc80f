using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Azure;

/// <summary>The custom role in config/cloud-roles grants every action the emulator checks for the provider's calls.</summary>
public sealed class AzureRoleTests
{
    [Fact]
    public async Task The_provider_works_with_the_custom_roles_actions_only()
    {
        var role = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Config, "cloud-roles", "azure-provider-role.json")))!;
        var actions = role["Actions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        await using var testbed = await AzureTestbed.StartAsync(o => o with { Actions = actions });
        var provider = testbed.Provider();
        var tags = new Dictionary<string, string> { [MachineTags.ManagedBy] = "skyserve" };
        var machine = await provider.LaunchAsync(new LaunchRequest("token-role", AzureTestbed.Offering(AzureTestbed.Zone, "Standard_NC4as_T4_v3", spot: true), tags), CancellationToken.None);
        Assert.NotNull(machine.Endpoint); // the NIC could be read
        Assert.NotNull(await provider.GetAsync(machine.Id, CancellationToken.None));
        Assert.Single(await provider.ListAsync(tags, CancellationToken.None));
        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        Assert.Subset(actions.ToHashSet(StringComparer.OrdinalIgnoreCase), testbed.Arm.ActionsChecked.ToHashSet(StringComparer.OrdinalIgnoreCase));
    }
}
