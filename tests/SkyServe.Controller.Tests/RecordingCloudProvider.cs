using System.Collections.Concurrent;
using SkyServe.Providers;

namespace SkyServe.Controller.Tests;

/// <summary>A provider that passes every call to a real one and keeps the launches and terminations it was asked for, with when.</summary>
public sealed class RecordingCloudProvider(ICloudProvider inner) : ICloudProvider, IAsyncDisposable
{
    private readonly ConcurrentQueue<(DateTimeOffset At, string Call, string Target)> acts = new();

    /// <summary>Launches ("launch", client token) and terminations ("terminate", machine id), in the order they were asked.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Call, string Target)> Acts => acts.ToList();

    public IReadOnlyCollection<string> Clouds => inner.Clouds;

    public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct) => inner.ListOfferingsAsync(ct);

    public Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        acts.Enqueue((DateTimeOffset.UtcNow, "launch", request.ClientToken));
        return inner.LaunchAsync(request, ct);
    }

    public Task TerminateAsync(string machineId, CancellationToken ct)
    {
        acts.Enqueue((DateTimeOffset.UtcNow, "terminate", machineId));
        return inner.TerminateAsync(machineId, ct);
    }

    public Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct) => inner.GetAsync(machineId, ct);

    public Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) => inner.ListAsync(tags, ct);

    public IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync(CancellationToken ct) => inner.WatchInterruptionsAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (inner is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
    }
}
