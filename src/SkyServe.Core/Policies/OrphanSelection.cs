namespace SkyServe.Core.Policies;

/// <summary>A machine tagged as ours, as the cloud lists it: its id, the client token it was launched with, and when.</summary>
public sealed record OwnedMachine(string Id, string ClientToken, DateTimeOffset LaunchedAt);

/// <summary>
/// Which of our machines no replica owns: neither a replica row's machine id nor its launch token (recorded before the
/// launch, so a launch in flight is never an orphan), and older than the grace (a list may show a machine before the row
/// that launched it is visible).
/// </summary>
public static class OrphanSelection
{
    public static IReadOnlyList<OwnedMachine> Pick(IEnumerable<OwnedMachine> machines, IReadOnlySet<string> ownedIds,
        IReadOnlySet<string> ownedTokens, DateTimeOffset now, TimeSpan grace) =>
        machines.Where(m => !ownedIds.Contains(m.Id) && !ownedTokens.Contains(m.ClientToken) && now - m.LaunchedAt >= grace).ToList();
}
