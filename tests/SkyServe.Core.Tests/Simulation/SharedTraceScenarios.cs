using SkyServe.Core.Simulation;
using SkyServe.Core.Tests.Traces;
using SkyServe.Testing;

namespace SkyServe.Core.Tests.Simulation;

/// <summary>The scenarios of ../shared/traces (loaded once); a checkout without them fails with a message saying where they belong.</summary>
internal static class SharedTraceScenarios
{
    private static readonly Lazy<IReadOnlyList<TraceScenario>> All = new(() =>
    {
        SharedTraces.Folder("AWS1"); // throws a clear message when the shared traces are missing
        return TraceScenario.Load(RepoPaths.SharedTraces, 30);
    });

    public static IReadOnlyList<TraceScenario> Scenarios => All.Value;

    public static TraceScenario Named(string name) => Scenarios.Single(scenario => scenario.Name == name);

    /// <summary>The trace folder a scenario comes from (AWS-2022-2zone/v100_8 → AWS-2022-2zone).</summary>
    public static string Folder(TraceScenario scenario) => scenario.Name.Split('/')[0];
}
