using System.Text.RegularExpressions;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>The name patterns the spec checks, SkyPilot's where it has one.</summary>
internal static partial class SpecPatterns
{
    /// <summary>SkyPilot's task schema pattern for env var names.</summary>
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    public static partial Regex EnvName();

    /// <summary>SkyPilot's cluster/service name rule (check_cluster_name_is_valid).</summary>
    [GeneratedRegex("^[a-zA-Z]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?$")]
    public static partial Regex ServiceName();

    /// <summary>An HTTP header field name (RFC 9110 token).</summary>
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    public static partial Regex HeaderName();

    /// <summary>Cloud label keys: letters, digits and the usual separators.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_./:-]*$")]
    public static partial Regex LabelName();

    /// <summary>SkyPilot's key pattern for the map form of target_qps_per_replica: <c>A100</c> or <c>H100:1</c>.</summary>
    [GeneratedRegex("^[A-Z0-9]+(?::[0-9]+)?$")]
    public static partial Regex QpsAcceleratorKey();

    /// <summary>An accelerator name such as A100, A10G, L4, H100, tpu-v4-8.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    public static partial Regex AcceleratorName();

    /// <summary>SkyPilot's cpus/memory strings: <c>8</c>, <c>8+</c>, <c>0.5</c>; memory may carry a unit (<c>32GB+</c>).</summary>
    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?\+?$")]
    public static partial Regex CpuCount();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?([KkMmGgTt][Bb]?)?\+?$")]
    public static partial Regex MemorySize();

    /// <summary>A disk size in GB, optionally with a G/GB or T/TB unit.</summary>
    [GeneratedRegex(@"^([0-9]+)\s*([GgTt][Bb]?)?$")]
    public static partial Regex DiskSize();
}
