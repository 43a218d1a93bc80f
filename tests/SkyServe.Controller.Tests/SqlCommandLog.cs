using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SkyServe.Controller.Tests;

/// <summary>
/// Records the SQL commands EF Core runs while serving requests of one trace. The requests carry that trace's
/// <c>traceparent</c>; ASP.NET Core continues it in the request's activity, so commands of the controller's own loops
/// (the routing table's recompute) and of tests running beside this one are left out.
/// </summary>
internal sealed class SqlCommandLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string CommandExecuted = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted";
    private readonly ActivityTraceId trace = ActivityTraceId.CreateRandom();
    private readonly ActivityListener requests;
    private readonly List<IDisposable> subscriptions = [];
    private readonly ConcurrentQueue<string> commands = new();

    public SqlCommandLog()
    {
        // A listener on ASP.NET Core's source makes it start an activity per request, continuing the caller's trace.
        requests = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(requests);
        lock (subscriptions)
            subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    /// <summary>The header that marks a request as one to count.</summary>
    public string TraceParent => $"00-{trace}-{ActivitySpanId.CreateRandom()}-01";

    /// <summary>The text of each command run for the marked requests since the last <see cref="Reset"/>, in order.</summary>
    public IReadOnlyList<string> Commands => [.. commands];

    public void Reset() => commands.Clear();

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == "Microsoft.EntityFrameworkCore")
            lock (subscriptions)
                subscriptions.Add(listener.Subscribe(this, name => name == CommandExecuted));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e is { Key: CommandExecuted, Value: CommandExecutedEventData executed } && Activity.Current?.TraceId == trace)
            commands.Enqueue(executed.Command.CommandText);
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (subscriptions)
            subscriptions.ForEach(s => s.Dispose());
        requests.Dispose();
    }
}
