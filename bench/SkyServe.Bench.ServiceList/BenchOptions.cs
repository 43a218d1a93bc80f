namespace SkyServe.Bench.ServiceList;

/// <param name="Engines">sqlite, postgres or both.</param>
internal sealed record BenchOptions(int Services, int Replicas, int Requests, int Limit, IReadOnlyList<string> Engines)
{
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions(1000, 10, 200, 100, ["sqlite", "postgres"]);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--services" => o with { Services = int.Parse(value) },
                "--replicas" => o with { Replicas = int.Parse(value) },
                "--requests" => o with { Requests = int.Parse(value) },
                "--limit" => o with { Limit = int.Parse(value) },
                "--engine" => o with { Engines = value == "both" ? ["sqlite", "postgres"] : [value] },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }
        return o;
    }
}
