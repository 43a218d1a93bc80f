using SkyServe.Core.Catalog;
using SkyServe.Providers;
using SkyServe.Providers.Local;

// A process of its own on a local runtime's state directory, driven line by line on stdin, so that tests can share a
// runtime with another process and kill that process outright (no dispose, no clean-up), as a crashed controller dies.
//   args:   <state-dir> <config-dir> <agent-dll> <cloud/region/zone> <provisioning-delay-ms>
//   prints: "ready runs-market=<bool>" once started
//   stdin:  "launch <client-token> <spot|on-demand>"  -> "launched <machine-id> <endpoint>"
//           "runs-market"                             -> "runs-market=<bool>"
// It ends (disposing its provider, machines left running) when stdin closes.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: <state-dir> <config-dir> <agent-dll> <cloud/region/zone> <provisioning-delay-ms>");
    return 2;
}
var (stateDirectory, configDirectory, agentDll, zone) = (args[0], args[1], args[2], args[3]);
var catalog = CatalogLoader.LoadDirectory(Path.Combine(configDirectory, "catalog")).Local;
var market = LocalZonesLoader.BuildMarket([(zone, new FixedSpotCapacity(8))], catalog);
var options = new LocalProviderOptions
{
    StateDirectory = stateDirectory,
    AgentDll = agentDll,
    ProvisioningDelay = TimeSpan.FromMilliseconds(int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture)),
    MarketInterval = TimeSpan.Zero,
};
await using var provider = await LocalCloudProvider.StartAsync(options, market);
Console.WriteLine($"ready runs-market={provider.RunsMarket}");
while (Console.ReadLine() is { } line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    switch (words)
    {
        case ["launch", var token, var kind]:
            var parts = zone.Split('/');
            var offering = new OfferingKey(parts[0], parts[1], parts[2], "local-cpu", kind == "spot");
            var machine = await provider.LaunchAsync(new LaunchRequest(token, offering, new Dictionary<string, string>()), CancellationToken.None);
            Console.WriteLine($"launched {machine.Id} {machine.Endpoint}");
            break;
        case ["runs-market"]:
            Console.WriteLine($"runs-market={provider.RunsMarket}");
            break;
        default:
            Console.WriteLine($"unknown command: {line}");
            break;
    }
}
return 0;

internal sealed class FixedSpotCapacity(int capacity) : ISpotCapacity
{
    public int CapacityAt(TimeSpan simulatedSinceStart) => capacity;
}
