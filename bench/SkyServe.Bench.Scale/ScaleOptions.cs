using System.Globalization;

namespace SkyServe.Bench.Scale;

/// <summary>One fleet size: <see cref="Services"/> services, each with its drawn replica count or, when set, <see cref="FixedReplicas"/>.</summary>
public sealed record SizeStep(int Services, int? FixedReplicas)
{
    public string Label => FixedReplicas is { } n ? $"{Services}x{n}" : Services.ToString(CultureInfo.InvariantCulture);

    /// <summary>"100" (drawn replica counts) or "1000x10" (every service that many replicas).</summary>
    public static SizeStep Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var services) || services < 1)
            throw new ArgumentException($"--sizes: '{text}' is not a size (N or NxR, e.g. 100 or 1000x10)");
        if (parts.Length == 1)
            return new SizeStep(services, null);
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) || replicas is < 1 or > 10)
            throw new ArgumentException($"--sizes: '{text}': replicas per service must be 1-10");
        return new SizeStep(services, replicas);
    }
}

/// <summary>The benchmark's flags (bench/scale.sh passes its arguments through).</summary>
public sealed record ScaleOptions
{
    public const string Usage = """
        usage: bash bench/scale.sh [--db sqlite|postgres|both] [--sizes 10,100,1000,1000x10] [--max-minutes M]
               [--converge-timeout-s S] [--trial-timeout-s S] [--failure-trials N] [--write-trials N]
               [--list-requests N] [--page-size N] [--steady-s S] [--seed N] [--overprovision N]
               [--failure-mode 503|reset] [--post-concurrency N]
        """;

    public IReadOnlyList<string> Databases { get; init; } = ["sqlite", "postgres"];
    public IReadOnlyList<SizeStep> Sizes { get; init; } = [new(10, null), new(100, null), new(1000, null), new(1000, 10)];
    /// <summary>The whole run's budget; with both databases each gets its share of what is left when it starts.</summary>
    public double MaxMinutes { get; init; } = 120;
    public double ConvergeTimeoutSeconds { get; init; } = 900;
    public double TrialTimeoutSeconds { get; init; } = 120;
    public int FailureTrials { get; init; } = 5;
    public int WriteTrials { get; init; } = 5;
    public int ListRequests { get; init; } = 200;
    public int PageSize { get; init; } = 100;
    public double SteadySeconds { get; init; } = 20;
    public int Seed { get; init; } = 14;
    /// <summary>num_overprovision of the SpotHedge services (SkyPilot's default is 0).</summary>
    public int Overprovision { get; init; }
    /// <summary>How a replica marked failing answers: 503 to every request, or its connections are reset.</summary>
    public string FailureMode { get; init; } = "503";
    public int PostConcurrency { get; init; } = 4;
    /// <summary>Where logs, the SQLite file and the PostgreSQL cluster go (bench/scale.sh makes it and removes it).</summary>
    public string? WorkDirectory { get; init; }
    public string? ControllerDll { get; init; }
    public string? LoadBalancerDll { get; init; }

    public static ScaleOptions Parse(string[] args)
    {
        var o = new ScaleOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{flag} needs a value");
            o = flag switch
            {
                "--db" => o with { Databases = DatabasesOf(Next()) },
                "--sizes" => o with { Sizes = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(SizeStep.Parse).ToList() },
                "--max-minutes" => o with { MaxMinutes = Positive(flag, Next()) },
                "--converge-timeout-s" => o with { ConvergeTimeoutSeconds = Positive(flag, Next()) },
                "--trial-timeout-s" => o with { TrialTimeoutSeconds = Positive(flag, Next()) },
                "--failure-trials" => o with { FailureTrials = Count(flag, Next()) },
                "--write-trials" => o with { WriteTrials = Count(flag, Next()) },
                "--list-requests" => o with { ListRequests = Count(flag, Next()) },
                "--page-size" => o with { PageSize = Math.Max(1, Count(flag, Next())) },
                "--steady-s" => o with { SteadySeconds = Positive(flag, Next()) },
                "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--overprovision" => o with { Overprovision = Count(flag, Next()) },
                "--failure-mode" => o with { FailureMode = FailureModeOf(Next()) },
                "--post-concurrency" => o with { PostConcurrency = Math.Max(1, Count(flag, Next())) },
                "--work" => o with { WorkDirectory = Next() },
                "--controller-dll" => o with { ControllerDll = Next() },
                "--lb-dll" => o with { LoadBalancerDll = Next() },
                _ => throw new ArgumentException($"unknown option {flag}"),
            };
        }
        if (o.Sizes.Count == 0)
            throw new ArgumentException("--sizes is empty");
        return o;
    }

    private static IReadOnlyList<string> DatabasesOf(string value) => value switch
    {
        "sqlite" => ["sqlite"],
        "postgres" or "postgresql" => ["postgres"],
        "both" or "sqlite,postgres" => ["sqlite", "postgres"],
        _ => throw new ArgumentException("--db is sqlite, postgres or both"),
    };

    private static string FailureModeOf(string value) =>
        value is "503" or "reset" ? value : throw new ArgumentException("--failure-mode is 503 or reset");

    private static double Positive(string flag, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new ArgumentException($"{flag} takes a positive number, not '{text}'");

    private static int Count(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ArgumentException($"{flag} takes a whole number >= 0, not '{text}'");
}
