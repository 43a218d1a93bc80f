namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>
/// The few plain stdout lines that launchers and operators read (listening, interruption notice,
/// draining), written whole and flushed at once; diagnostics go through ILogger instead.
/// </summary>
public sealed class StatusLineWriter(TextWriter output)
{
    private readonly Lock gate = new();

    public void WriteLine(string line)
    {
        lock (gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
