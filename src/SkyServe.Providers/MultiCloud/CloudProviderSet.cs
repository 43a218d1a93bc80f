using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace SkyServe.Providers.MultiCloud;

/// <summary>
/// Several providers behind one <see cref="ICloudProvider"/>, so the controller places one service over AWS, GCP and
/// Azure at once. A launch goes to the member serving the offering's cloud; machine ids carry their member's name
/// (<c>aws:i-0abc</c>) so that get and terminate find their way back without asking every cloud.
/// </summary>
public sealed class CloudProviderSet : ICloudProvider, IAsyncDisposable
{
    private const char Separator = ':';
    private readonly IReadOnlyDictionary<string, ICloudProvider> members;

    /// <param name="members">Each member under a short name (no ':'); no two members may serve the same cloud.</param>
    public CloudProviderSet(IReadOnlyDictionary<string, ICloudProvider> members)
    {
        if (members.Count == 0)
            throw new ArgumentException("a provider set needs at least one member", nameof(members));
        if (members.Keys.FirstOrDefault(name => name.Length == 0 || name.Contains(Separator)) is { } bad)
            throw new ArgumentException($"member name '{bad}' must be non-empty without '{Separator}'", nameof(members));
        if (members.SelectMany(m => m.Value.Clouds).GroupBy(c => c).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"cloud '{twice.Key}' is served by more than one member", nameof(members));
        this.members = members;
    }

    public IReadOnlyCollection<string> Clouds => members.Values.SelectMany(m => m.Clouds).ToList();

    public async Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct)
    {
        var lists = await Task.WhenAll(members.Values.Select(m => m.ListOfferingsAsync(ct)));
        return lists.SelectMany(l => l).ToList();
    }

    public async Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        var (name, member) = members.FirstOrDefault(m => m.Value.Clouds.Contains(request.Offering.Cloud));
        if (member is null)
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"no configured cloud serves '{request.Offering.Cloud}' (configured: {string.Join(", ", Clouds)})");
        return Qualify(name, await member.LaunchAsync(request, ct));
    }

    public async Task TerminateAsync(string machineId, CancellationToken ct)
    {
        if (Resolve(machineId) is var (member, id))
            await member.TerminateAsync(id, ct);
        // An id of no member's was never a machine of this set: already gone.
    }

    public async Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct) =>
        Resolve(machineId) is var (member, id) && await member.GetAsync(id, ct) is { } machine
            ? Qualify(machineId[..machineId.IndexOf(Separator)], machine)
            : null;

    public async Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var lists = await Task.WhenAll(members.Select(async m => (await m.Value.ListAsync(tags, ct)).Select(x => Qualify(m.Key, x))));
        return lists.SelectMany(l => l).ToList();
    }

    public async IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var merged = Channel.CreateUnbounded<InterruptionNotice>();
        var pumps = members.Select(async m =>
        {
            await foreach (var notice in m.Value.WatchInterruptionsAsync(ct))
                await merged.Writer.WriteAsync(notice with { MachineId = Qualified(m.Key, notice.MachineId) }, ct);
        }).ToList();
        _ = Task.WhenAll(pumps).ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException is OperationCanceledException ? null : t.Exception?.InnerException),
            TaskScheduler.Default);
        await foreach (var notice in merged.Reader.ReadAllAsync(ct))
            yield return notice;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in members.Values)
            if (member is IAsyncDisposable disposable)
                await disposable.DisposeAsync();
            else if (member is IDisposable plain)
                plain.Dispose();
    }

    private static string Qualified(string member, string id) => $"{member}{Separator}{id}";

    private static CloudMachine Qualify(string member, CloudMachine machine) => machine with { Id = Qualified(member, machine.Id) };

    private (ICloudProvider Member, string Id)? Resolve(string machineId)
    {
        var split = machineId.IndexOf(Separator);
        return split > 0 && members.TryGetValue(machineId[..split], out var member) ? (member, machineId[(split + 1)..]) : null;
    }
}
