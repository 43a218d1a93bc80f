namespace SkyServe.Core.Domain;

/// <summary>
/// Whether an interruption notice reported by a machine's agent is one its cloud could have sent. An agent's token
/// lives on the machine, where a local user may read it; the controller then still refuses what no cloud sends: a
/// preemption of an on-demand machine, or a deadline outside the cloud's notice window.
/// </summary>
public static class NoticePlausibility
{
    /// <summary>Allowed difference between the machine's clock and the controller's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>How long after its deadline a notice may still arrive (the agent retries for two minutes).</summary>
    public static readonly TimeSpan LateReport = TimeSpan.FromMinutes(3);

    public const string Preemption = "preemption";

    /// <summary>Why the notice cannot be genuine, or null when it can.</summary>
    /// <param name="kind">preemption, maintenance or termination (the agent's words).</param>
    public static string? Refusal(bool isSpot, string cloud, string kind, DateTimeOffset deadline, DateTimeOffset now)
    {
        if (!isSpot && kind == Preemption)
            return "the machine is on-demand: clouds do not preempt on-demand machines";
        var window = Window(cloud, kind);
        if (deadline > now + window + ClockSkew)
            return $"the deadline {deadline:u} is more than {cloud}'s {kind} notice window ({window.TotalSeconds:0} s) away";
        if (deadline < now - LateReport)
            return $"the deadline {deadline:u} passed more than {LateReport.TotalMinutes:0} minutes ago";
        return null;
    }

    /// <summary>The longest notice the cloud gives before it takes a machine.</summary>
    public static TimeSpan Window(string cloud, string kind) => (cloud.ToLowerInvariant(), kind) switch
    {
        ("aws", _) => TimeSpan.FromMinutes(2), // spot instance-action: two minutes
        ("gcp", "maintenance") => TimeSpan.FromSeconds(60),
        ("gcp", _) => TimeSpan.FromSeconds(30), // preemption: 30 seconds
        _ => TimeSpan.FromMinutes(15), // Azure scheduled events (Terminate notifications up to 15 min), own servers
    };
}
