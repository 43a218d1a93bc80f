using Microsoft.Extensions.Options;
using SkyServe.Core.Hosting;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// The controller's settings checked before anything starts (<see cref="ControllerHost.BuildAsync"/> calls
/// <see cref="ThrowIfInvalid"/> first: no data directory, token, database or cloud is touched with a bad setting).
/// Each problem is one line naming the configuration key: <c>SkyServe:Reconcile:Interval must be positive (got -00:00:01)</c>.
/// </summary>
/// <remarks>
/// The rules follow how each setting is used: the loops' intervals and the jobs' periods are timer periods (more than
/// zero; Quartz refuses a zero repeat interval), as is the routing table's full recompute, and it remembers removals for
/// more than zero (else every delta would turn full); grace periods and ages may be zero; launch back-off starts above zero
/// and its cap is no shorter than its start; the request-rate window holds whole seconds (at least one); at least one
/// launch may be in flight (zero would never launch); the listen URLs are Kestrel's (http or https, a port of 0-65535),
/// and the URL agents are told must be one they can reach (absolute http(s), not port 0).
/// </remarks>
public sealed class ControllerOptionsValidator : IValidateOptions<ControllerOptions>
{
    /// <summary>The configuration section the standalone controller binds (appsettings.json, SkyServe__... variables).</summary>
    public const string Section = "SkyServe";

    public ValidateOptionsResult Validate(string? name, ControllerOptions options) =>
        Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    /// <exception cref="OptionsValidationException">A setting is bad; its message is every problem on one line.</exception>
    public static void ThrowIfInvalid(ControllerOptions options)
    {
        if (Problems(options) is { Count: > 0 } problems)
            throw new OptionsValidationException(string.Empty, typeof(ControllerOptions), problems);
    }

    public static IReadOnlyList<string> Problems(ControllerOptions o)
    {
        var p = new SettingProblems(Section);
        p.Required(nameof(o.DataDirectory), o.DataDirectory);
        p.ListenUrls(nameof(o.Urls), o.Urls);
        p.HttpUrl(nameof(o.AgentControllerUrl), string.IsNullOrEmpty(o.AgentControllerUrl) ? null : o.AgentControllerUrl);

        if (o.Agent is null)
            p.Add(nameof(o.Agent), "must be set");
        else if (o.Agent.PackagePath is { } packagePath && string.IsNullOrWhiteSpace(packagePath))
            p.Add(nameof(o.Agent) + ":" + nameof(o.Agent.PackagePath), "must name a file when set");

        if (o.Uploads is null)
            p.Add(nameof(o.Uploads), "must be set");
        else
        {
            const string U = nameof(ControllerOptions.Uploads) + ":";
            if (o.Uploads.MaxBytes is < 1 or > UploadOptions.MaxAllowedBytes)
                p.Add(U + nameof(o.Uploads.MaxBytes), $"must be from 1 to {UploadOptions.MaxAllowedBytes} bytes (got {o.Uploads.MaxBytes})");
            p.NotNegative(U + nameof(o.Uploads.KeepUnreferencedFor), o.Uploads.KeepUnreferencedFor);
        }

        const string R = nameof(ControllerOptions.Reconcile) + ":";
        var r = o.Reconcile;
        if (r is null)
            p.Add(nameof(o.Reconcile), "must be set");
        else
        {
            p.Positive(R + nameof(r.Interval), r.Interval);
            p.Positive(R + nameof(r.BusyInterval), r.BusyInterval);
            p.AtLeast(R + nameof(r.Workers), r.Workers, 1);
            p.Positive(R + nameof(r.ProbeInterval), r.ProbeInterval);
            p.AtLeast(R + nameof(r.MaxConcurrentProbes), r.MaxConcurrentProbes, 1);
            p.Positive(R + nameof(r.MachineListInterval), r.MachineListInterval);
            p.Positive(R + nameof(r.LeaseRenewal), r.LeaseRenewal);
            if (r.LeaseRenewal > TimeSpan.Zero)
                p.AtLeast(R + nameof(r.LeaseTtl), r.LeaseTtl, r.LeaseRenewal * 2); // two renewals may fail before the lease lapses
            p.AtLeast(R + nameof(r.MaxLaunchesInFlight), r.MaxLaunchesInFlight, 1);
            p.NotNegative(R + nameof(r.NotReadyGrace), r.NotReadyGrace);
            p.Positive(R + nameof(r.LaunchBackoff), r.LaunchBackoff);
            if (r.LaunchBackoff > TimeSpan.Zero)
                p.AtLeast(R + nameof(r.MaxLaunchBackoff), r.MaxLaunchBackoff, r.LaunchBackoff, R + nameof(r.LaunchBackoff));
            p.NotNegative(R + nameof(r.KeepEndedReplicas), r.KeepEndedReplicas);
            p.AtLeast(R + nameof(r.QpsWindow), r.QpsWindow, TimeSpan.FromSeconds(1));
            p.NotNegative(R + nameof(r.LocalReadyDelay), r.LocalReadyDelay);
        }

        const string J = nameof(ControllerOptions.Jobs) + ":";
        var j = o.Jobs;
        if (j is null)
            p.Add(nameof(o.Jobs), "must be set");
        else
        {
            p.Positive(J + nameof(j.OrphanCollection), j.OrphanCollection);
            p.Positive(J + nameof(j.OfferingRefresh), j.OfferingRefresh);
            p.NotNegative(J + nameof(j.OrphanGrace), j.OrphanGrace);
            p.Positive(J + nameof(j.EventRetention), j.EventRetention);
            p.Positive(J + nameof(j.BlobRetention), j.BlobRetention);
            p.Positive(J + nameof(j.KeepEventsFor), j.KeepEventsFor);
            p.AtLeast(J + nameof(j.MaxEventsPerService), j.MaxEventsPerService, 1);
        }

        const string T = nameof(ControllerOptions.Routing) + ":";
        var t = o.Routing;
        if (t is null)
            p.Add(nameof(o.Routing), "must be set");
        else
        {
            p.Positive(T + nameof(t.FullRecomputeInterval), t.FullRecomputeInterval);
            p.Positive(T + nameof(t.KeepRemovedFor), t.KeepRemovedFor);
            if (t.FirstServicePort is < 1 or > 65535 || t.LastServicePort is < 1 or > 65535 || t.LastServicePort < t.FirstServicePort)
                p.Add(T + nameof(t.FirstServicePort), "FirstServicePort..LastServicePort must be a range of ports (1-65535)");
        }
        return p.All;
    }
}
