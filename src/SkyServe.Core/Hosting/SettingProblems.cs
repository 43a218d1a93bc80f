using System.Globalization;

namespace SkyServe.Core.Hosting;

/// <summary>
/// Collects what is wrong with a host's settings before it starts, one line per bad setting that names it the way the
/// operator wrote it (a configuration key such as <c>SkyServe:Reconcile:Interval</c>, or a flag), with the value it got:
/// <c>SkyServe:Reconcile:Interval must be positive (got -00:00:01)</c>.
/// </summary>
/// <param name="nameOf">How a setting (its path below the options, "Reconcile:Interval") is named in the messages.</param>
public sealed class SettingProblems(Func<string, string> nameOf)
{
    private const string ListenShape = "an http:// or https:// URL with a host and a port of 0-65535";
    private const string UrlShape = "an absolute http:// or https:// URL";

    private readonly List<string> problems = [];

    /// <summary>Settings named with <paramref name="prefix"/> and a colon in front ("SkyServe" + "Urls": "SkyServe:Urls").</summary>
    public SettingProblems(string prefix) : this(setting => $"{prefix}:{setting}")
    {
    }

    public IReadOnlyList<string> All => problems;

    /// <summary>How <paramref name="setting"/> is named in the messages.</summary>
    public string Name(string setting) => nameOf(setting);

    /// <summary>"NAME PROBLEM", e.g. Add("Urls", "must not be empty").</summary>
    public void Add(string setting, string problem) => problems.Add($"{nameOf(setting)} {problem}");

    /// <summary>A time to wait or an interval: more than zero.</summary>
    public void Positive(string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
            Add(setting, $"must be positive (got {Show(value)})");
    }

    /// <summary>A grace period or an age: zero or more.</summary>
    public void NotNegative(string setting, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
            Add(setting, $"must not be negative (got {Show(value)})");
    }

    public void AtLeast(string setting, TimeSpan value, TimeSpan min, string? minName = null)
    {
        if (value < min)
            Add(setting, $"must be at least {(minName is null ? Show(min) : $"{nameOf(minName)} ({Show(min)})")} (got {Show(value)})");
    }

    public void AtLeast(string setting, long value, long min)
    {
        if (value < min)
            Add(setting, $"must be at least {min.ToString(CultureInfo.InvariantCulture)} (got {value.ToString(CultureInfo.InvariantCulture)})");
    }

    public void Required(string setting, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            Add(setting, "must be set");
    }

    /// <summary>An address a host listens on (Kestrel's URL form: http://127.0.0.1:0, http://+:30580, http://[::1]:80).</summary>
    public void ListenUrl(string setting, string? value)
    {
        if (value?.Contains(';') == true)
            Add(setting, $"must be one URL (got '{value}')");
        else if (ListenUrlProblem(value) is { } problem)
            Add(setting, problem);
    }

    /// <summary>Several listen addresses separated by ';', as ASP.NET Core's URLS setting takes them.</summary>
    public void ListenUrls(string setting, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(setting, $"must be {ListenShape}");
            return;
        }
        foreach (var url in value.Split(';', StringSplitOptions.TrimEntries))
        {
            if (ListenUrlProblem(url) is { } problem)
                Add(setting, problem);
        }
    }

    /// <summary>An address other programs reach (a controller, a backend); null for none, where that is allowed.</summary>
    public void HttpUrl(string setting, string? value)
    {
        if (value is null)
            return;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            Add(setting, $"must be {UrlShape} (got '{value}')");
        else if (uri.Port == 0)
            Add(setting, $"must name a port other than 0 (got '{value}')");
    }

    /// <summary>One of <paramref name="allowed"/>.</summary>
    public void OneOf(string setting, string? value, IReadOnlyCollection<string> allowed)
    {
        if (value is null || !allowed.Contains(value))
            Add(setting, $"must be one of {string.Join(", ", allowed)} (got '{value}')");
    }

    /// <summary>Why <paramref name="url"/> cannot be a listen address, or null when it can.</summary>
    public static string? ListenUrlProblem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
            return $"must be {ListenShape}";
        var bad = $"must be {ListenShape} (got '{url}')";
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? url[..separator] : "";
        if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            return bad;
        var rest = url[(separator + 3)..];
        if (rest.StartsWith("unix:/", StringComparison.OrdinalIgnoreCase))
            return null; // a Unix socket: http://unix:/run/skyserve.sock
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        if (slash >= 0 && rest[slash..] != "/")
            return $"must be {ListenShape}, without a path (got '{url}')";

        string host;
        string? port = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
                return bad;
            host = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                    return bad;
                port = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? null : authority[(colon + 1)..];
        }
        if (host is not ("+" or "*") && Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
            return bad;
        if (port is not null && !(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 65535))
            return $"must have a port of 0-65535 (got '{url}')";
        return null;
    }

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
