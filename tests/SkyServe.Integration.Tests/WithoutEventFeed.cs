using SkyServe.Providers;

namespace SkyServe.Integration.Tests;

/// <summary>A provider whose cloud has no interruption event feed: notices reach the controller only through the agents.</summary>
public sealed class WithoutEventFeed(ICloudProvider inner) : ICloudProvider
{
    public IReadOnlyCollection<string> Clouds => inner.Clouds;
    public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct) => inner.ListOfferingsAsync(ct);
    public Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct) => inner.LaunchAsync(request, ct);
    public Task TerminateAsync(string machineId, CancellationToken ct) => inner.TerminateAsync(machineId, ct);
    public Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct) => inner.GetAsync(machineId, ct);
    public Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) => inner.ListAsync(tags, ct);

    public async IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        yield break;
    }
}
