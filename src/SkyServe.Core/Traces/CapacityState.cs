namespace SkyServe.Core.Traces;

/// <summary>The hidden state of a zone in <see cref="RandomSpotCapacity"/>.</summary>
internal enum CapacityState
{
    /// <summary>Full capacity, apart from brief dips.</summary>
    Plentiful,

    /// <summary>Partial capacity (1 .. max-1), wandering.</summary>
    Degraded,

    /// <summary>No capacity.</summary>
    Dry,
}
