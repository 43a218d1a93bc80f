using System.Globalization;
using SkyServe.Core.Security;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>Flags of `SkyServe.LoadBalancer` (also `skyserve lb`); every timeout and limit can be set.</summary>
public static class LoadBalancerCommandLine
{
    /// <summary>
    /// The token (--token-file, SKYSERVE_TOKEN or --token) is sent to the controller and also opens the /-/ pages (all but
    /// /-/health). --token works but shows in `ps` to every user of the machine; the file or the variable does not.
    /// </summary>
    public const string Usage = """
        usage: SkyServe.LoadBalancer [--listen URL] (--controller URL | --static-backends URL,URL [--policy P])
               [--token-file FILE | --token T (visible in ps; prefer the file or $SKYSERVE_TOKEN)]
               [--domain D] [--no-path-routing] [--max-attempts N] [--connect-timeout-ms N] [--activity-timeout-ms N]
               [--failed-cooldown-ms N] [--scale-to-zero-wait-ms N] [--stats-interval-ms N] [--replayable-body-limit BYTES]
               [--tls-cert PEM --tls-key PEM] [--api-key SERVICE=KEY]... [--id NAME]
        """;

    public static LoadBalancerOptions Parse(IReadOnlyList<string> args)
    {
        var o = new LoadBalancerOptions();
        string? token = null, tokenFile = null;
        var keys = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag == "--no-path-routing")
            {
                o = o with { PathPrefixRouting = false };
                continue;
            }
            if (i + 1 >= args.Count)
                throw new ArgumentException($"{flag} needs a value");
            var value = args[++i];
            o = flag switch
            {
                "--listen" => o with { Listen = value },
                "--controller" => o with { ControllerUrl = value },
                "--token" => Remember(ref token, o, value),
                "--token-file" => Remember(ref tokenFile, o, value),
                "--static-backends" => o with { StaticBackends = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--policy" => o with { StaticPolicy = value },
                "--domain" => o with { Domain = value },
                "--max-attempts" => o with { MaxAttempts = Positive(flag, value) },
                "--connect-timeout-ms" => o with { ConnectTimeout = Millis(flag, value) },
                "--activity-timeout-ms" => o with { ActivityTimeout = Millis(flag, value) },
                "--failed-cooldown-ms" => o with { FailedReplicaCooldown = Millis(flag, value) },
                "--scale-to-zero-wait-ms" => o with { ScaleToZeroWait = Millis(flag, value) },
                "--stats-interval-ms" => o with { StatsInterval = Millis(flag, value) },
                "--replayable-body-limit" => o with { ReplayableBodyLimit = Positive(flag, value) },
                "--tls-cert" => o with { TlsCertFile = value },
                "--tls-key" => o with { TlsKeyFile = value },
                "--id" => o with { Id = value },
                "--api-key" => AddKey(o, value),
                _ => throw new ArgumentException($"unknown flag {flag}"),
            };
        }
        if (o.ControllerUrl is null == (o.StaticBackends.Count == 0))
            throw new ArgumentException("give either --controller or --static-backends");
        if (o.TlsCertFile is null != (o.TlsKeyFile is null))
            throw new ArgumentException("--tls-cert and --tls-key go together");
        try
        {
            o = o with { ControllerToken = SecretSource.Resolve(token, tokenFile, "SKYSERVE_TOKEN") };
        }
        catch (SecretFileException e)
        {
            throw new ArgumentException(e.Message, e);
        }
        return o with { ApiKeys = keys };

        LoadBalancerOptions AddKey(LoadBalancerOptions options, string pair)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentException("--api-key takes SERVICE=KEY");
            keys[pair[..eq]] = pair[(eq + 1)..];
            return options;
        }
    }

    private static LoadBalancerOptions Remember(ref string? slot, LoadBalancerOptions options, string value)
    {
        slot = value;
        return options;
    }

    private static int Positive(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{flag} takes a positive whole number");

    private static TimeSpan Millis(string flag, string value) => TimeSpan.FromMilliseconds(Positive(flag, value));
}
