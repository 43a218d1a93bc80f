namespace SkyServe.Cloud.Emulators;

/// <summary>
/// Errors a test scripts into an emulator: the next N calls whose method and path match fail with this answer. The
/// emulator writes the answer in its own cloud's error format.
/// </summary>
public sealed class ScriptedFailures(StringComparison pathComparison)
{
    /// <param name="Method">Empty: any method.</param>
    /// <param name="PathContains">Empty: any path.</param>
    /// <param name="Code">The cloud's error code (GCE's reason, ARM's code).</param>
    public sealed record Failure(string Method, string PathContains, int Status, string Code, string Message, int? RetryAfterSeconds);

    private readonly Lock gate = new();
    private readonly List<(Failure Failure, int Remaining)> pending = [];

    public void Add(Failure failure, int times)
    {
        lock (gate)
            pending.Add((failure, times));
    }

    /// <summary>The first scripted failure this call matches, counted as used; null when none does.</summary>
    public Failure? Take(string method, string path)
    {
        lock (gate)
        {
            var index = pending.FindIndex(p => p.Remaining > 0 && (p.Failure.Method.Length == 0 || p.Failure.Method == method)
                && path.Contains(p.Failure.PathContains, pathComparison));
            if (index < 0)
                return null;
            pending[index] = (pending[index].Failure, pending[index].Remaining - 1);
            return pending[index].Failure;
        }
    }
}
