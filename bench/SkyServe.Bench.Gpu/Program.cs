using System.Globalization;
using SkyServe.Bench.Gpu;
using SkyServe.ReplicaAgent.Hosting;

// bench/gpu.sh runs this on the GPU machine; see there for what each command measures. Progress on stderr, results on stdout.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: SkyServe.Bench.Gpu fixtures DIR... | compare --model DIR --reference FILE [--cache DIR] | bench --model DIR [--cache DIR] [--baseline FILE] [...] | agent ARGS...");
    return 2;
}
return args[0] switch
{
    "fixtures" => FixtureCheck.Run(args[1..]),
    "compare" => ReferenceCompare.Run(Arguments.Parse(args[1..])),
    "bench" => DecodeBenchmark.Run(Arguments.Parse(args[1..])),
    "agent" => await AgentProgram.RunAsync(args[1..]),
    _ => 2,
};
