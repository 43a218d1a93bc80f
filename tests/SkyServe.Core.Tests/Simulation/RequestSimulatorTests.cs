using SkyServe.Core.Simulation;

namespace SkyServe.Core.Tests.Simulation;

public sealed class RequestSimulatorTests
{
    private static WorkloadSettings Replay(double meanService, params double[] arrivals) => new()
    {
        ArrivalTimes = arrivals,
        MeanServiceSeconds = meanService,
        TimeoutSeconds = 100,
    };

    [Fact]
    public void Without_a_ready_replica_every_request_fails_at_the_timeout()
    {
        var latency = RequestSimulator.Run([0, 0, 0, 0], 30, Replay(10, 1, 5, 70), new SimRandom(1));
        Assert.Equal((100.0, 100.0, 100.0, 1.0, 3), (latency.P50, latency.P90, latency.P99, latency.FailureRate, latency.Requests));
    }

    [Fact]
    public void A_lone_request_takes_its_service_time()
    {
        var expected = new SimRandom(7).Exponential(10);
        var latency = RequestSimulator.Run([1, 1, 1], 30, Replay(10, 5), new SimRandom(7));
        Assert.Equal(Math.Min(expected, 100), latency.P50, 9);
        Assert.Equal(expected > 100 ? 1.0 : 0.0, latency.FailureRate);
    }

    [Fact]
    public void Requests_queued_on_a_replica_that_goes_away_fail()
    {
        // One replica for two ticks (60 s) with very long service: the first request is in service when the replica
        // goes (it completes), the two queued behind it fail.
        var latency = RequestSimulator.Run([1, 1, 0, 0], 30, Replay(100_000, 1, 2, 3), new SimRandom(3));
        Assert.Equal(3, latency.Requests);
        Assert.Equal(2.0 / 3, latency.FailureRate, 12);
    }

    [Fact]
    public void A_request_that_waited_past_the_timeout_fails_when_its_turn_comes()
    {
        var first = new SimRandom(11).Exponential(1000);
        Assert.True(first > 150, "the seed must give a long first service for this test");
        var latency = RequestSimulator.Run(Enumerable.Repeat(1, 200).ToArray(), 30, Replay(1000, 0, 10), new SimRandom(11));
        Assert.Equal(0.5, latency.FailureRate);
    }

    [Fact]
    public void Poisson_load_on_three_replicas_gives_the_expected_queueing_delay()
    {
        // 0.15 req/s over three replicas with 10 s mean service: utilisation 0.5; the median sojourn of an M/M/1 queue
        // at 0.5 is 13.9 s, and per-client round robin smooths arrivals, so the median lies between the service median and that.
        var latency = RequestSimulator.Run(Enumerable.Repeat(3, 2876).ToArray(), 30, new WorkloadSettings(), new SimRandom(5));
        Assert.InRange(latency.P50, 7.0, 14.0);
        Assert.InRange(latency.Requests, 11_000, 14_000);
        Assert.True(latency.FailureRate < 0.01);
    }

    [Fact]
    public void Percentiles_interpolate_linearly_as_numpy_does()
    {
        double[] sorted = [1, 2, 3, 4, 10];
        Assert.Equal(3.0, LatencySummary.Percentile(sorted, 50), 12);
        Assert.Equal(7.6, LatencySummary.Percentile(sorted, 90), 12);
        Assert.Equal(9.76, LatencySummary.Percentile(sorted, 99), 12);
    }

    [Fact]
    public void The_artifacts_paired_clients_make_queueing_worse()
    {
        var ready = Enumerable.Repeat(3, 2876).ToArray();
        var independent = RequestSimulator.Run(ready, 30, new WorkloadSettings(), new SimRandom(5));
        var paired = RequestSimulator.Run(ready, 30, new WorkloadSettings { DuplicateFirstClient = true }, new SimRandom(5));
        Assert.True(paired.P50 > independent.P50 + 1, $"paired {paired.P50}, independent {independent.P50}");
        Assert.InRange(paired.Requests, 11_000, 14_000);
    }
}
