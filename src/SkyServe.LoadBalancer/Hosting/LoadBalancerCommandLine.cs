using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SkyServe.Core.Security;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>Flags of `SkyServe.LoadBalancer` (System.CommandLine); every timeout and limit can be set.</summary>
public static class LoadBalancerCommandLine
{
    /// <summary>
    /// The token (--token-file, SKYSERVE_TOKEN or --token) is sent to the controller and also opens the /-/ pages (all but
    /// /-/health). --token works but shows in `ps` to every user of the machine; the file or the variable does not.
    /// </summary>
    public const string Usage = """
        usage: SkyServe.LoadBalancer [--listen URL] (--controller URL | --static-backends URL,URL [--policy P])
               [--token-file FILE | --token T (visible in ps; prefer the file or $SKYSERVE_TOKEN)]
               [--domain D] [--no-path-routing] [--max-attempts N] [--no-resume] [--connect-timeout-ms N] [--activity-timeout-ms N]
               [--failed-cooldown-ms N] [--scale-to-zero-wait-ms N] [--stats-interval-ms N] [--replayable-body-limit BYTES]
               [--tls-cert PEM --tls-key PEM] [--service-ports] [--api-key SERVICE=KEY]... [--id NAME]
        """;

    private static readonly Option<string?> Listen = new("--listen") { Description = "where to listen (default http://127.0.0.1:30581)" };
    private static readonly Option<string?> Controller = new("--controller") { Description = "the controller's URL: follow its routes" };
    private static readonly Option<string?> Token = new("--token") { Description = "the load balancer's token (visible in ps)" };
    private static readonly Option<string?> TokenFile = new("--token-file") { Description = "file holding the load balancer's token" };
    private static readonly Option<string?> StaticBackends = new("--static-backends") { Description = "comma-separated backend URLs, without a controller" };
    private static readonly Option<string?> Policy = new("--policy") { Description = "load-balancing policy of the static backends" };
    private static readonly Option<string?> Domain = new("--domain") { Description = "serve NAME.DOMAIN (default localhost)" };
    private static readonly Option<bool> NoPathRouting = new("--no-path-routing") { Description = "do not route /NAME/... paths" };
    private static readonly Option<int?> MaxAttempts = PositiveNumber("--max-attempts");
    private static readonly Option<bool> NoResume = new("--no-resume")
    {
        Description = "do not continue a completion on another replica when its replica is lost mid-answer",
    };
    private static readonly Option<int?> ConnectTimeoutMs = PositiveNumber("--connect-timeout-ms");
    private static readonly Option<int?> ActivityTimeoutMs = PositiveNumber("--activity-timeout-ms");
    private static readonly Option<int?> FailedCooldownMs = PositiveNumber("--failed-cooldown-ms");
    private static readonly Option<int?> ScaleToZeroWaitMs = PositiveNumber("--scale-to-zero-wait-ms");
    private static readonly Option<int?> StatsIntervalMs = PositiveNumber("--stats-interval-ms");
    private static readonly Option<int?> ReplayableBodyLimit = PositiveNumber("--replayable-body-limit");
    private static readonly Option<string?> TlsCert = new("--tls-cert") { Description = "PEM certificate: serve HTTPS" };
    private static readonly Option<string?> TlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert" };
    private static readonly Option<bool> ServicePorts = new("--service-ports")
    {
        Description = "also listen on each service's own endpoint port (HTTPS with the spec's service.tls)",
    };
    private static readonly Option<string[]> ApiKeys = new("--api-key") { Description = "SERVICE=KEY: clients of SERVICE must send KEY" };
    private static readonly Option<string?> Id = new("--id") { Description = "this load balancer's name in its stats" };

    private static readonly RootCommand Command = new("SkyServe load balancer")
    {
        Listen, Controller, Token, TokenFile, StaticBackends, Policy, Domain, NoPathRouting, MaxAttempts, NoResume, ConnectTimeoutMs, ActivityTimeoutMs,
        FailedCooldownMs, ScaleToZeroWaitMs, StatsIntervalMs, ReplayableBodyLimit, TlsCert, TlsKey, ServicePorts, ApiKeys, Id,
    };

    /// <exception cref="ArgumentException">A flag is unknown, lacks its value or has a bad one (the program exits 2).</exception>
    public static LoadBalancerOptions Parse(IReadOnlyList<string> args)
    {
        var parsed = Command.Parse(args.ToArray());
        if (parsed.Errors.Count > 0)
            throw new ArgumentException(parsed.Errors[0].Message);

        var o = new LoadBalancerOptions();
        o = o with
        {
            Listen = parsed.GetValue(Listen) ?? o.Listen,
            ControllerUrl = parsed.GetValue(Controller),
            StaticBackends = parsed.GetValue(StaticBackends)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            StaticPolicy = parsed.GetValue(Policy) ?? o.StaticPolicy,
            Domain = parsed.GetValue(Domain) ?? o.Domain,
            PathPrefixRouting = !parsed.GetValue(NoPathRouting),
            MaxAttempts = parsed.GetValue(MaxAttempts) ?? o.MaxAttempts,
            Resume = !parsed.GetValue(NoResume),
            ConnectTimeout = Millis(parsed.GetValue(ConnectTimeoutMs)) ?? o.ConnectTimeout,
            ActivityTimeout = Millis(parsed.GetValue(ActivityTimeoutMs)) ?? o.ActivityTimeout,
            FailedReplicaCooldown = Millis(parsed.GetValue(FailedCooldownMs)) ?? o.FailedReplicaCooldown,
            ScaleToZeroWait = Millis(parsed.GetValue(ScaleToZeroWaitMs)) ?? o.ScaleToZeroWait,
            StatsInterval = Millis(parsed.GetValue(StatsIntervalMs)) ?? o.StatsInterval,
            ReplayableBodyLimit = parsed.GetValue(ReplayableBodyLimit) ?? o.ReplayableBodyLimit,
            TlsCertFile = parsed.GetValue(TlsCert),
            TlsKeyFile = parsed.GetValue(TlsKey),
            ServicePorts = parsed.GetValue(ServicePorts),
            Id = parsed.GetValue(Id) ?? o.Id,
            ApiKeys = ParseKeys(parsed.GetValue(ApiKeys) ?? []),
        };
        if (o.ControllerUrl is null == (o.StaticBackends.Count == 0))
            throw new ArgumentException("give either --controller or --static-backends");
        if (o.TlsCertFile is null != (o.TlsKeyFile is null))
            throw new ArgumentException("--tls-cert and --tls-key go together");
        if (LoadBalancerOptionsValidator.Problems(o, FlagOf) is { Count: > 0 } problems)
            throw new ArgumentException(string.Join("; ", problems));
        try
        {
            return o with { ControllerToken = SecretSource.Resolve(parsed.GetValue(Token), parsed.GetValue(TokenFile), "SKYSERVE_TOKEN") };
        }
        catch (SecretFileException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    /// <summary>A setting named as the flag that sets it, in the validator's messages ("--listen must be ...").</summary>
    private static string FlagOf(string property) => property switch
    {
        nameof(LoadBalancerOptions.Listen) => Listen.Name,
        nameof(LoadBalancerOptions.ControllerUrl) => Controller.Name,
        nameof(LoadBalancerOptions.StaticBackends) => StaticBackends.Name,
        nameof(LoadBalancerOptions.StaticPolicy) => Policy.Name,
        nameof(LoadBalancerOptions.Domain) => Domain.Name,
        nameof(LoadBalancerOptions.Id) => Id.Name,
        nameof(LoadBalancerOptions.MaxAttempts) => MaxAttempts.Name,
        nameof(LoadBalancerOptions.ConnectTimeout) => ConnectTimeoutMs.Name,
        nameof(LoadBalancerOptions.ActivityTimeout) => ActivityTimeoutMs.Name,
        nameof(LoadBalancerOptions.FailedReplicaCooldown) => FailedCooldownMs.Name,
        nameof(LoadBalancerOptions.ScaleToZeroWait) => ScaleToZeroWaitMs.Name,
        nameof(LoadBalancerOptions.StatsInterval) => StatsIntervalMs.Name,
        nameof(LoadBalancerOptions.ReplayableBodyLimit) => ReplayableBodyLimit.Name,
        nameof(LoadBalancerOptions.TlsCertFile) => TlsCert.Name,
        nameof(LoadBalancerOptions.TlsKeyFile) => TlsKey.Name,
        _ => $"{LoadBalancerOptionsValidator.Prefix}:{property}",
    };

    private static Dictionary<string, string> ParseKeys(IEnumerable<string> pairs)
    {
        var keys = new Dictionary<string, string>();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentException("--api-key takes SERVICE=KEY");
            keys[pair[..eq]] = pair[(eq + 1)..];
        }
        return keys;
    }

    private static Option<int?> PositiveNumber(string name) => new(name)
    {
        Description = "a positive whole number",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
                return n;
            result.AddError($"{name} takes a positive whole number, not '{text}'");
            return null;
        },
    };

    private static TimeSpan? Millis(int? milliseconds) => milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
