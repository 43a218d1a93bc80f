using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Simulation;

/// <summary>
/// SpotHedge (<c>spot_placer: dynamic_fallback</c>) or hedge_plus as the controller runs them: each tick builds the
/// <see cref="ServiceSnapshot"/> the reconciler would build (a <c>replicas: N_tar</c> spot service with
/// <c>num_overprovision: N_extra</c> and dynamic on-demand fallback, one placement option per zone at spot price 1 and
/// on-demand price k) and calls <see cref="ServicePlanner.Plan"/>; what the tick did goes through SpotHedge's location
/// transitions (<see cref="SpotHedge.Observe"/> in the parity model; <see cref="SpotHedge.OnPreempted"/>,
/// <see cref="SpotHedge.OnLaunchFailed"/> and <see cref="SpotHedge.OnLaunched"/> one event at a time, as the reconciler
/// reports them, in the controller model). No policy logic lives here.
/// </summary>
public sealed class PlannerPolicy : ISimulatedPolicy
{
    /// <summary>Simulated time starts here; only differences matter.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ServiceSpec spec;
    private readonly IReadOnlyList<Location> locations;
    private readonly Dictionary<Location, int> zoneOf;
    private readonly IReadOnlyList<PlacementOption> options;
    private readonly SimulationSettings settings;
    private readonly PlacementTieBreak tieBreak;
    private readonly int resetThreshold;
    private IReadOnlyList<LocationState> states = [];

    public PlannerPolicy(SpotPlacer placer, IReadOnlyList<Location> locations, SimulationSettings settings, ulong tieBreakSeed)
    {
        spec = Spec(placer, settings.TargetReplicas, settings.ExtraReplicas);
        this.locations = locations;
        this.settings = settings;
        zoneOf = locations.Select((location, index) => (location, index)).ToDictionary(pair => pair.location, pair => pair.index);
        options = locations.Select(location => new PlacementOption(location, "sim", null, (decimal)settings.OnDemandCost, 1m)).ToList();
        tieBreak = new PlacementTieBreak(tieBreakSeed);
        resetThreshold = settings.EffectiveReset == ResetRule.Artifact
            ? SpotHedge.ArtifactResetThreshold(locations.Count)
            : SpotHedge.DefaultResetThreshold;
    }

    /// <summary>The location states as they stand (for tests and diagnostics).</summary>
    public IReadOnlyList<LocationState> States => states;

    /// <summary>The spec the simulated service runs: what a user would write for SpotHedge or hedge_plus.</summary>
    public static ServiceSpec Spec(SpotPlacer placer, int targetReplicas, int extraReplicas) => new()
    {
        Service = new ServiceSection
        {
            FixedReplicas = true,
            ReplicaPolicy = new ReplicaPolicySpec
            {
                MinReplicas = targetReplicas,
                MaxReplicas = targetReplicas,
                NumOverprovision = extraReplicas,
                DynamicOndemandFallback = true,
                SpotPlacer = placer,
            },
        },
        Resources = new ResourcesSpec { UseSpot = true },
    };

    public DateTimeOffset TimeOf(int tick) => Epoch.AddSeconds((double)tick * settings.TickSeconds);

    public TickDecision Decide(FleetView view)
    {
        var snapshot = Snapshot(view);
        var plan = ServicePlanner.Plan(snapshot);
        var spotLaunches = plan.Launches.Where(launch => launch.IsSpot).Select(launch => zoneOf[launch.Option.Location]).ToList();
        var onDemand = plan.Launches.Count(launch => !launch.IsSpot);
        return new TickDecision(spotLaunches, onDemand, plan.Terminations.Select(termination => termination.ReplicaId).ToList());
    }

    /// <summary>The snapshot the controller's reconciler would hand <see cref="ServicePlanner"/> at this tick.</summary>
    public ServiceSnapshot Snapshot(FleetView view)
    {
        var replicas = view.Replicas.Select(replica => new ReplicaSnapshot(
            replica.Id,
            1,
            view.IsReady(replica) ? ReplicaStatus.READY : ReplicaStatus.STARTING,
            replica.IsSpot,
            replica.IsSpot ? locations[replica.Zone] : options[0].Location,
            null,
            TimeOf(replica.LaunchTick),
            replica.NoticeDeadline is { } deadline ? TimeOf(deadline) : null)).ToList();
        return new ServiceSnapshot(spec, 1, UpdateMode.Rolling, replicas, states, options, 0,
            AutoscalerState.Initial(settings.TargetReplicas), TimeOf(view.Tick))
        {
            TieBreak = tieBreak,
        };
    }

    public void Observe(TickOutcome outcome)
    {
        var now = TimeOf(outcome.Tick);
        if (settings.Model == SimulationModel.Parity)
        {
            var observations = new List<LocationObservation>();
            for (var zone = 0; zone < locations.Count; zone++)
            {
                var lost = outcome.Preempted[zone] + outcome.Noticed[zone];
                if (lost > 0)
                    observations.Add(new LocationObservation(locations[zone], LocationEvent.Preempted));
                else if (outcome.Refused(zone) > 0)
                    observations.Add(new LocationObservation(locations[zone], LocationEvent.LaunchFailed));
                else if (outcome.Granted(zone) > 0)
                    observations.Add(new LocationObservation(locations[zone], LocationEvent.Launched));
                else if (outcome.Held[zone] > 0)
                    observations.Add(new LocationObservation(locations[zone], LocationEvent.Held));
            }
            if (observations.Count > 0)
                states = SpotHedge.Observe(states, locations, observations, now, resetThreshold);
            return;
        }

        foreach (var (zone, granted) in outcome.Launches)
            states = granted
                ? SpotHedge.OnLaunched(states, locations, locations[zone], resetThreshold)
                : SpotHedge.OnLaunchFailed(states, locations, locations[zone], resetThreshold);
        for (var zone = 0; zone < locations.Count; zone++)
            for (var i = 0; i < outcome.Preempted[zone] + outcome.Noticed[zone]; i++)
                states = SpotHedge.OnPreempted(states, locations, locations[zone], now, resetThreshold);
    }
}
