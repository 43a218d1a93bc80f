using System.Collections.Immutable;
using System.Globalization;
using SkyServe.Contracts.Routing;

namespace SkyServe.Controller.Routing;

/// <summary>
/// The routing table at one revision, immutable: what long polls read while the table's loop builds the next one.
/// Its token is <c>INCARNATION-REVISION</c>; the incarnation is new with every start of the table, so a load balancer
/// that follows another controller, or this one before a restart, gets the whole table rather than a wrong delta.
/// </summary>
/// <param name="Ready">The table has been computed from the database once (before that it is empty).</param>
/// <param name="Floor">The newest revision of a removal already forgotten: a since older than it gets the whole table.</param>
internal sealed record RoutingSnapshot(
    string Incarnation, long Revision, long Floor, bool Ready,
    ImmutableDictionary<string, RouteEntry> Services, ImmutableDictionary<string, RemovedService> Removed)
{
    public string Token => $"{Incarnation}-{Revision.ToString(CultureInfo.InvariantCulture)}";

    public static RoutingSnapshot Empty(string incarnation) => new(
        incarnation, 0, 0, false, ImmutableDictionary.Create<string, RouteEntry>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, RemovedService>(StringComparer.Ordinal));

    /// <summary>Nothing to answer yet for <paramref name="since"/>: a long poll waits.</summary>
    public bool IsCurrent(string? since) => !Ready || since == Token;

    /// <summary>The changes after <paramref name="since"/> when it is a revision of this table still answerable as a delta; else everything.</summary>
    public RoutesView Answer(string? since)
    {
        if (DeltaBase(since) is { } from)
            return new RoutesView(Token, Full: false,
                Services.Values.Where(e => e.Revision > from).Select(e => e.View).OrderBy(v => v.Name, StringComparer.Ordinal).ToList(),
                Removed.Where(r => r.Value.Revision > from).Select(r => r.Key).Order(StringComparer.Ordinal).ToList());
        return new RoutesView(Token, Full: true, Services.Values.Select(e => e.View).OrderBy(v => v.Name, StringComparer.Ordinal).ToList(), []);
    }

    private long? DeltaBase(string? since)
    {
        if (since is null || !since.StartsWith(Incarnation + "-", StringComparison.Ordinal))
            return null;
        return long.TryParse(since.AsSpan(Incarnation.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            && revision >= Floor && revision <= Revision ? revision : null;
    }
}
