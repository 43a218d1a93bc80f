using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

public sealed class AutoscalerTests
{
    private static readonly ReplicaPolicySpec TwoQpsEach = new()
    {
        MinReplicas = 1,
        MaxReplicas = 10,
        TargetQpsPerReplica = TargetQps.Of(2),
        UpscaleDelaySeconds = 300,
        DownscaleDelaySeconds = 1200,
    };

    private static AutoscalerState Decide(ReplicaPolicySpec policy, double qps, AutoscalerState state, DateTimeOffset now, params ReplicaSnapshot[] replicas) =>
        Autoscaler.Decide(policy, qps, replicas, state, now);

    [Fact]
    public void Scale_up_waits_exactly_the_upscale_delay()
    {
        var first = Decide(TwoQpsEach, 8, AutoscalerState.Initial(2), T0);
        Assert.Equal(new AutoscalerState(2, 4, T0), first);

        var justBefore = Decide(TwoQpsEach, 8, first, T0.AddSeconds(299));
        Assert.Equal(new AutoscalerState(2, 4, T0), justBefore);

        var atDelay = Decide(TwoQpsEach, 8, justBefore, T0.AddSeconds(300));
        Assert.Equal(AutoscalerState.Initial(4), atDelay);
    }

    [Fact]
    public void Scale_down_waits_exactly_the_downscale_delay()
    {
        var first = Decide(TwoQpsEach, 2, AutoscalerState.Initial(4), T0);
        Assert.Equal(new AutoscalerState(4, 1, T0), first);

        Assert.Equal(new AutoscalerState(4, 1, T0), Decide(TwoQpsEach, 2, first, T0.AddSeconds(1199)));
        Assert.Equal(AutoscalerState.Initial(1), Decide(TwoQpsEach, 2, first, T0.AddSeconds(1200)));
    }

    [Fact]
    public void A_persisting_direction_keeps_its_start_and_applies_the_latest_wish()
    {
        var first = Decide(TwoQpsEach, 8, AutoscalerState.Initial(2), T0);
        var higher = Decide(TwoQpsEach, 12, first, T0.AddSeconds(100));
        Assert.Equal(new AutoscalerState(2, 6, T0), higher);

        var lowerButStillUp = Decide(TwoQpsEach, 6, higher, T0.AddSeconds(300));
        Assert.Equal(AutoscalerState.Initial(3), lowerButStillUp);
    }

    [Fact]
    public void A_reversal_restarts_the_wait_in_the_new_direction()
    {
        var pendingUp = new AutoscalerState(4, 6, T0);

        var reversed = Decide(TwoQpsEach, 2, pendingUp, T0.AddSeconds(100));
        Assert.Equal(new AutoscalerState(4, 1, T0.AddSeconds(100)), reversed);

        Assert.Equal(reversed, Decide(TwoQpsEach, 2, reversed, T0.AddSeconds(100 + 1199)));
        Assert.Equal(AutoscalerState.Initial(1), Decide(TwoQpsEach, 2, reversed, T0.AddSeconds(100 + 1200)));
    }

    [Fact]
    public void Load_back_at_the_target_clears_the_pending_change()
    {
        var pendingUp = new AutoscalerState(4, 6, T0);
        Assert.Equal(AutoscalerState.Initial(4), Decide(TwoQpsEach, 8, pendingUp, T0.AddSeconds(299)));
    }

    [Fact]
    public void Scale_from_zero_is_immediate_and_scale_to_zero_waits()
    {
        var scaleToZero = TwoQpsEach with { MinReplicas = 0 };

        Assert.Equal(AutoscalerState.Initial(1), Decide(scaleToZero, 0.5, AutoscalerState.Initial(0), T0));
        Assert.Equal(AutoscalerState.Initial(3), Decide(scaleToZero, 5, AutoscalerState.Initial(0), T0));

        var idle = Decide(scaleToZero, 0, AutoscalerState.Initial(1), T0);
        Assert.Equal(new AutoscalerState(1, 0, T0), idle);
        Assert.Equal(AutoscalerState.Initial(0), Decide(scaleToZero, 0, idle, T0.AddSeconds(1200)));
    }

    [Theory]
    [InlineData(100, 10)]
    [InlineData(0, 1)]
    [InlineData(-3, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(7, 4)]
    [InlineData(8, 4)]
    public void The_wish_is_ceil_of_qps_over_target_clipped_to_min_and_max(double qps, int expected)
    {
        var noDelay = TwoQpsEach with { UpscaleDelaySeconds = 0, DownscaleDelaySeconds = 0 };
        Assert.Equal(AutoscalerState.Initial(expected), Decide(noDelay, qps, AutoscalerState.Initial(5), T0));
    }

    [Fact]
    public void Floating_point_noise_adds_no_replica()
    {
        var policy = TwoQpsEach with { TargetQpsPerReplica = TargetQps.Of(0.1), MaxReplicas = 100, UpscaleDelaySeconds = 0 };
        Assert.Equal(7, Decide(policy, 0.7, AutoscalerState.Initial(1), T0).Target);
        Assert.Equal(11, Decide(policy, 1.1, AutoscalerState.Initial(1), T0).Target);
    }

    [Fact]
    public void A_target_outside_changed_bounds_is_clipped_at_once()
    {
        Assert.Equal(AutoscalerState.Initial(10), Decide(TwoQpsEach, 100, new AutoscalerState(12, 11, T0), T0));
    }

    [Fact]
    public void Without_a_qps_target_the_target_is_min_replicas_at_once()
    {
        var fixedThree = new ReplicaPolicySpec { MinReplicas = 3, MaxReplicas = 3 };
        Assert.Equal(AutoscalerState.Initial(3), Decide(fixedThree, 50, new AutoscalerState(1, 2, T0), T0));
        Assert.Equal(AutoscalerState.Initial(3), Decide(fixedThree, 0, AutoscalerState.Initial(5), T0));
    }

    private static readonly ReplicaPolicySpec InstanceAware = new()
    {
        MinReplicas = 1,
        MaxReplicas = 10,
        TargetQpsPerReplica = TargetQps.ForAccelerators([new("A100", 8), new("L4", 2)]),
        UpscaleDelaySeconds = 0,
        DownscaleDelaySeconds = 0,
    };

    [Theory]
    [InlineData(5, 1)]   // the A100 alone
    [InlineData(9, 2)]   // A100 + L4 = 10
    [InlineData(10, 2)]
    [InlineData(14, 4)]  // 10, then two more at the smallest capacity (2 each)
    public void Instance_aware_counts_alive_replicas_largest_first_then_the_smallest_capacity(double qps, int expected)
    {
        var a100 = Replica(1, ReplicaStatus.READY, accelerator: "A100");
        var l4 = Replica(2, ReplicaStatus.STARTING, accelerator: "L4");
        Assert.Equal(expected, Decide(InstanceAware, qps, AutoscalerState.Initial(1), T0, l4, a100).Target);
    }

    [Fact]
    public void Instance_aware_counts_unknown_accelerators_at_the_smallest_capacity_and_ignores_leaving_replicas()
    {
        var unknown = Replica(1, ReplicaStatus.READY, accelerator: "T4");
        var none = Replica(2, ReplicaStatus.READY, accelerator: null);
        var noticed = Replica(3, ReplicaStatus.READY, accelerator: "A100", notice: T0.AddMinutes(2));
        var failed = Replica(4, ReplicaStatus.FAILED, accelerator: "A100");
        // 2 + 2 from the two known replicas, then 4 / 2 more.
        Assert.Equal(4, Decide(InstanceAware, 8, AutoscalerState.Initial(1), T0, unknown, none, noticed, failed).Target);
    }

    [Fact]
    public void Instance_aware_counts_only_the_newest_version()
    {
        var oldA100 = Replica(1, ReplicaStatus.READY, accelerator: "A100", version: 1);
        var newL4 = Replica(2, ReplicaStatus.READY, accelerator: "L4", version: 2);
        Assert.Equal(4, Decide(InstanceAware, 8, AutoscalerState.Initial(1), T0, oldA100, newL4).Target);
    }

    [Fact]
    public void Instance_aware_matches_accelerator_keys_with_a_count()
    {
        var policy = InstanceAware with { TargetQpsPerReplica = TargetQps.ForAccelerators([new("A100:1", 8), new("L4:1", 2)]) };
        var a100 = Replica(1, ReplicaStatus.READY, accelerator: "A100");
        Assert.Equal(1, Decide(policy, 8, AutoscalerState.Initial(3), T0, a100).Target);
    }
}
