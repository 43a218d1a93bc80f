namespace SkyServe.Core.Traces;

/// <summary>
/// One zone's capacity in <see cref="RandomSpotCapacity"/>: a Markov-modulated process over
/// <see cref="CapacityState"/>, modulated by its region's <see cref="RegionalPressure"/>. Mutable simulation state.
/// </summary>
internal sealed class ZoneCapacityProcess
{
    private readonly RandomSpotCapacityParameters parameters;
    private readonly RegionalPressure region;
    private readonly int max;

    // > 1: a zone that loses capacity more often and gets it back more slowly than the typical one.
    private readonly double hardship;

    private CapacityState state = CapacityState.Plentiful;
    private int degradedCapacity;
    private int dipDepth;

    public ZoneCapacityProcess(int maxCapacity, RegionalPressure region, RandomSpotCapacityParameters parameters, Random random)
    {
        max = maxCapacity;
        this.region = region;
        this.parameters = parameters;
        hardship = Math.Exp(parameters.ZoneHeterogeneity * RandomEvents.StandardNormal(random));
    }

    public int Capacity => state switch
    {
        CapacityState.Plentiful => max - dipDepth,
        CapacityState.Degraded => degradedCapacity,
        _ => 0,
    };

    public void Step(Random random, double stepHours)
    {
        var stressed = region.IsStressed;
        switch (state)
        {
            case CapacityState.Plentiful:
            {
                var exitRate = hardship / parameters.MeanPlentifulHours * (stressed ? parameters.StressedExitMultiplier : 1);
                if (region.TurnedStressed && RandomEvents.Chance(random, parameters.PressureShiftHitProbability))
                    Enter(CapacityState.Dry, random);
                else if (RandomEvents.Happens(random, exitRate, stepHours))
                    Enter(RandomEvents.Chance(random, parameters.PlentifulToDryShare) ? CapacityState.Dry : CapacityState.Degraded, random);
                else
                    StepDip(random, stepHours);
                break;
            }
            case CapacityState.Degraded:
            {
                if (region.TurnedStressed && RandomEvents.Chance(random, parameters.PressureShiftHitProbability))
                    Enter(CapacityState.Dry, random);
                else if (RandomEvents.Happens(random, 1 / parameters.MeanDegradedHours, stepHours))
                    Enter(RandomEvents.Chance(random, parameters.DegradedToDryShare) ? CapacityState.Dry : CapacityState.Plentiful, random);
                else if (RandomEvents.Happens(random, parameters.DegradedChangesPerHour, stepHours))
                    Wander(random);
                break;
            }
            default:
            {
                var meanDry = parameters.MeanDryHours * hardship * (stressed ? parameters.StressedDryMultiplier : 1);
                if (region.TurnedCalm && RandomEvents.Chance(random, parameters.PressureShiftHitProbability))
                    Enter(CapacityState.Plentiful, random);
                else if (RandomEvents.Happens(random, 1 / meanDry, stepHours))
                    Enter(RandomEvents.Chance(random, parameters.DryToPlentifulShare) ? CapacityState.Plentiful : CapacityState.Degraded, random);
                break;
            }
        }
    }

    private void Enter(CapacityState next, Random random)
    {
        state = next;
        dipDepth = 0;
        // Partial capacity needs room between none and all; a zone of one instance is either full or dry.
        if (next == CapacityState.Degraded)
            degradedCapacity = max >= 2 ? random.Next(1, max) : max;
    }

    private void StepDip(Random random, double stepHours)
    {
        if (dipDepth > 0)
        {
            if (RandomEvents.Happens(random, 60 / parameters.MeanDipMinutes, stepHours))
                dipDepth = 0;
        }
        else if (max >= 2 && RandomEvents.Happens(random, parameters.DipsPerHour, stepHours))
        {
            // Squared, so that small dips (one instance) are the most common, as in the real traces.
            var share = random.NextDouble();
            var depth = (int)Math.Ceiling(max * parameters.MaxDipFraction * share * share);
            dipDepth = Math.Clamp(depth, 1, max - 1);
        }
    }

    private void Wander(Random random)
    {
        if (max < 3)
            return;
        var magnitude = random.Next(1, Math.Max(1, max / 4) + 1);
        var change = random.Next(2) == 0 ? -magnitude : magnitude;
        degradedCapacity = Math.Clamp(degradedCapacity + change, 1, max - 1);
    }
}
