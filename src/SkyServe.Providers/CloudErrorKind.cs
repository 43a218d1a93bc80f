namespace SkyServe.Providers;

/// <summary>The failures callers handle differently (DESIGN.md section 7).</summary>
public enum CloudErrorKind
{
    /// <summary>No capacity for this offering now: try elsewhere; the offering is shunned for a while.</summary>
    InsufficientCapacity,
    /// <summary>An account limit: retrying the same request will not help until the quota changes.</summary>
    QuotaExceeded,
    NotFound,
    Unauthorized,
    /// <summary>The request itself is wrong (unknown instance type, bad zone...).</summary>
    InvalidRequest,
}
