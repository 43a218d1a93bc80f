using SkyServe.Core.Simulation;

namespace SkyServe.Core.Tests.Simulation;

public sealed class Mt19937Tests
{
    [Fact]
    public void Produces_the_reference_mersenne_twister_stream()
    {
        var mt = new Mt19937(5489);
        Assert.Equal([3499211612U, 581869302U, 3890346734U], new[] { mt.NextUInt32(), mt.NextUInt32(), mt.NextUInt32() });
    }

    [Fact]
    public void RandInt_draws_what_numpy_legacy_randint_draws()
    {
        // numpy.random.RandomState(0).randint(0, 28680) ten times: the SpotHedge artifact's AWS1 offsets.
        var mt = new Mt19937(0);
        Assert.Equal([2732, 10799, 9845, 19648, 13123, 21243, 9225, 24275, 20757, 22258], Enumerable.Range(0, 10).Select(_ => mt.RandInt(28680)));
        var seven = new Mt19937(7);
        Assert.Equal([175, 196, 537, 502, 579], Enumerable.Range(0, 5).Select(_ => seven.RandInt(1000)));
    }

    [Fact]
    public void RandInt_of_one_is_zero_without_drawing()
    {
        var mt = new Mt19937(0);
        Assert.Equal(0, mt.RandInt(1));
        Assert.Equal(2732, mt.RandInt(28680));
    }
}
