using SkyServe.Core.Policies;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Policies;

public sealed class SpotHedgeTargetsTests
{
    [Theory]
    // N_tar, N_extra, base, dynamic, use_spot, ready spot → spot, on-demand
    [InlineData(3, 1, 0, true, true, 0, 4, 3)]   // nothing ready: fall back for all of N_tar
    [InlineData(3, 1, 0, true, true, 2, 4, 2)]
    [InlineData(3, 1, 0, true, true, 3, 4, 1)]   // the hedge replica is missing too
    [InlineData(3, 1, 0, true, true, 4, 4, 0)]   // spot is back: no on-demand
    [InlineData(3, 1, 0, true, true, 6, 4, 0)]
    [InlineData(3, 1, 0, false, true, 0, 4, 0)]  // no fallback at all
    [InlineData(3, 1, 1, false, true, 0, 3, 1)]  // a fixed base only
    [InlineData(3, 1, 1, true, true, 1, 3, 3)]   // base + missing, capped at N_tar
    [InlineData(3, 1, 1, true, true, 3, 3, 1)]   // base stays
    [InlineData(3, 0, 5, false, true, 0, 0, 5)]  // base above N_tar: no spot, base as written
    [InlineData(3, 0, 5, true, true, 0, 0, 3)]   // ...capped at N_tar by the dynamic formula
    [InlineData(0, 1, 0, true, true, 0, 1, 0)]   // N_tar 0: the hedge stays, no on-demand
    [InlineData(3, 1, 0, true, false, 0, 0, 4)]  // without use_spot everything is on-demand
    [InlineData(2, 0, 1, true, false, 0, 0, 2)]
    public void Targets_follow_the_spothedge_formula(
        int targetReplicas, int overprovision, int baseOnDemand, bool dynamic, bool useSpot, int readySpot, int spot, int onDemand)
    {
        var policy = new ReplicaPolicySpec
        {
            MinReplicas = targetReplicas,
            MaxReplicas = targetReplicas,
            NumOverprovision = overprovision,
            BaseOndemandFallbackReplicas = baseOnDemand,
            DynamicOndemandFallback = dynamic,
        };
        Assert.Equal((spot, onDemand), SpotHedge.Targets(targetReplicas, policy, useSpot, readySpot));
    }
}
