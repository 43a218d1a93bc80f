namespace SkyServe.Core.Simulation;

/// <summary>One evaluation's settings; the defaults are the SpotHedge paper's (traces/README.md).</summary>
public sealed record SimulationSettings
{
    /// <summary>Ticks per repeat (2880 × 30 s = 24 h).</summary>
    public int Ticks { get; init; } = 2880;

    public int TickSeconds { get; init; } = 30;

    /// <summary>A replica is READY only after this much continuous life.</summary>
    public int ColdStartSeconds { get; init; } = 120;

    /// <summary>N_tar: READY replicas the service needs.</summary>
    public int TargetReplicas { get; init; } = 3;

    /// <summary>N_extra: SpotHedge's over-provisioned spot replicas (hedge_plus's volatile-market hedge).</summary>
    public int ExtraReplicas { get; init; } = 1;

    /// <summary>An on-demand replica-tick costs this many spot replica-ticks.</summary>
    public double OnDemandCost { get; init; } = 3;

    public int Repeats { get; init; } = 10;

    /// <summary>Seeds the start offsets (as NumPy's <c>RandomState(seed).randint</c>), zone shuffles, policy tie-breaks and requests.</summary>
    public int Seed { get; init; }

    /// <summary>Lead time of interruption notices; 0: preemptions come unannounced (the paper).</summary>
    public int NoticeSeconds { get; init; }

    public SimulationModel Model { get; init; } = SimulationModel.Parity;

    /// <summary>Null: the model's own (the artifact's for <see cref="SimulationModel.Parity"/>, SkyPilot's for <see cref="SimulationModel.Controller"/>).</summary>
    public ResetRule? Reset { get; init; }

    public WorkloadSettings Workload { get; init; } = new();

    /// <summary>Wall-clock limit per integer program for <see cref="SimPolicy.Optimal"/>.</summary>
    public int SolverSeconds { get; init; } = 120;

    /// <summary>d: cold start in ticks, rounded up.</summary>
    public int ColdStartTicks => (ColdStartSeconds + TickSeconds - 1) / TickSeconds;

    /// <summary>Notice lead in ticks, rounded up.</summary>
    public int NoticeTicks => (NoticeSeconds + TickSeconds - 1) / TickSeconds;

    public ResetRule EffectiveReset => Reset ?? (Model == SimulationModel.Parity ? ResetRule.Artifact : ResetRule.SkyPilot);

    /// <summary>The first problem with these settings, or null.</summary>
    public string? Validate()
    {
        if (Ticks <= 0) return "ticks must be positive";
        if (TickSeconds <= 0) return "the tick must be positive";
        if (ColdStartSeconds < 0) return "the cold start cannot be negative";
        if (ColdStartTicks >= Ticks) return $"the cold start ({ColdStartSeconds} s) must be shorter than the run ({Ticks} ticks of {TickSeconds} s)";
        if (TargetReplicas <= 0) return "the target replicas must be positive";
        if (ExtraReplicas < 0) return "extra replicas cannot be negative";
        if (OnDemandCost <= 0) return "the on-demand cost must be positive";
        if (Repeats <= 0) return "repeats must be positive";
        if (Seed < 0) return "the seed cannot be negative";
        if (NoticeSeconds < 0) return "the notice lead cannot be negative";
        if (Workload.RequestsPerSecond <= 0 && Workload.ArrivalTimes is null) return "the request rate must be positive";
        if (Workload.Clients <= 0) return "clients must be positive";
        if (Workload.MeanServiceSeconds <= 0) return "the service time must be positive";
        if (Workload.TimeoutSeconds <= 0) return "the timeout must be positive";
        if (SolverSeconds <= 0) return "the solver time limit must be positive";
        return null;
    }
}
