using Microsoft.Extensions.Options;
using SkyServe.Core.Hosting;
using SkyServe.LoadBalancer.LoadBalancing;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>
/// The load balancer's settings checked before it is built (<see cref="LoadBalancerHost.Build"/> calls
/// <see cref="ThrowIfInvalid"/>): values given in code (`skyserve local start`, tests, embedders) meet the same rules as
/// the flags, whose own parser checks only that numbers are positive. Each problem is one line naming the setting.
/// </summary>
/// <remarks>
/// Rules, from how each setting is used: Listen is one Kestrel URL (http or https, a port of 0-65535); the controller
/// and static backends are absolute http(s) URLs; at least one attempt per request; the connect and activity timeouts,
/// the scale-to-zero wait and the stats interval are more than zero (SocketsHttpHandler, YARP and the timers refuse
/// zero); the failed-replica cooldown and the replayable body limit may be zero (no cooldown, no replay); the
/// scale-to-zero queue may be empty (0: no request waits); Kestrel's body and header limits are more than zero; the
/// static policy is a known one; the domain and the instance id are set; TLS certificate and key come together.
/// </remarks>
public sealed class LoadBalancerOptionsValidator : IValidateOptions<LoadBalancerOptions>
{
    /// <summary>How settings are named when the options come from code: "LoadBalancer:MaxAttempts".</summary>
    public const string Prefix = "LoadBalancer";

    private static readonly string[] Policies = [PolicyNames.LeastLoad, PolicyNames.RoundRobin, PolicyNames.InstanceAwareLeastLoad];

    public ValidateOptionsResult Validate(string? name, LoadBalancerOptions options) =>
        Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    /// <exception cref="OptionsValidationException">A setting is bad; its message is every problem on one line.</exception>
    public static void ThrowIfInvalid(LoadBalancerOptions options)
    {
        if (Problems(options) is { Count: > 0 } problems)
            throw new OptionsValidationException(string.Empty, typeof(LoadBalancerOptions), problems);
    }

    /// <param name="nameOf">How a property is named in the messages; by default "LoadBalancer:PROPERTY".</param>
    public static IReadOnlyList<string> Problems(LoadBalancerOptions o, Func<string, string>? nameOf = null)
    {
        var p = new SettingProblems(nameOf ?? (property => $"{Prefix}:{property}"));
        p.ListenUrl(nameof(o.Listen), o.Listen);
        p.HttpUrl(nameof(o.ControllerUrl), o.ControllerUrl);
        foreach (var backend in o.StaticBackends)
            p.HttpUrl(nameof(o.StaticBackends), backend);
        if (o.StaticBackends is { Count: > 0 })
            p.OneOf(nameof(o.StaticPolicy), o.StaticPolicy, Policies);
        p.Required(nameof(o.Domain), o.Domain);
        p.Required(nameof(o.EndpointTemplate), o.EndpointTemplate);
        p.Required(nameof(o.Id), o.Id);

        p.AtLeast(nameof(o.MaxAttempts), o.MaxAttempts, 1);
        p.Positive(nameof(o.ConnectTimeout), o.ConnectTimeout);
        p.Positive(nameof(o.ActivityTimeout), o.ActivityTimeout);
        p.AtLeast(nameof(o.ReplayableBodyLimit), o.ReplayableBodyLimit, 0);
        p.NotNegative(nameof(o.FailedReplicaCooldown), o.FailedReplicaCooldown);
        p.Positive(nameof(o.ScaleToZeroWait), o.ScaleToZeroWait);
        p.AtLeast(nameof(o.ScaleToZeroQueueLimit), o.ScaleToZeroQueueLimit, 0);
        p.Positive(nameof(o.StatsInterval), o.StatsInterval);
        p.AtLeast(nameof(o.MaxRequestBodySize), o.MaxRequestBodySize, 1);
        p.AtLeast(nameof(o.MaxRequestHeadersTotalSize), o.MaxRequestHeadersTotalSize, 1);
        if (o.TlsCertFile is null && o.TlsKeyFile is not null)
            p.Add(nameof(o.TlsCertFile), $"must be set with {p.Name(nameof(o.TlsKeyFile))}");
        if (o.TlsKeyFile is null && o.TlsCertFile is not null)
            p.Add(nameof(o.TlsKeyFile), $"must be set with {p.Name(nameof(o.TlsCertFile))}");
        return p.All;
    }
}
