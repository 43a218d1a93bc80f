using System.Security.Cryptography;
using System.Text;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>An SQS standard queue: messages become invisible when received and are gone when deleted; receives long-poll.</summary>
public sealed class EmulatedQueue(string name, TimeProvider time)
{
    private readonly List<Message> messages = [];
    private readonly Lock gate = new();
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long sequence;

    public string Name { get; } = name;

    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int Count
    {
        get
        {
            lock (gate)
                return messages.Count;
        }
    }

    public string Send(string body)
    {
        lock (gate)
        {
            var id = Guid.NewGuid().ToString();
            messages.Add(new Message(id, body) { Sequence = ++sequence });
            arrived.TrySetResult();
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return id;
        }
    }

    /// <summary>Up to <paramref name="max"/> visible messages, waiting up to <paramref name="wait"/> (real time) for the first.</summary>
    public async Task<IReadOnlyList<(string MessageId, string ReceiptHandle, string Body, string Md5)>> ReceiveAsync(int max, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            Task next;
            lock (gate)
            {
                var now = time.GetUtcNow();
                var visible = messages.Where(m => m.InvisibleUntil <= now).OrderBy(m => m.Sequence).Take(max).ToList();
                if (visible.Count > 0)
                {
                    foreach (var m in visible)
                    {
                        m.InvisibleUntil = now + VisibilityTimeout;
                        m.ReceiptHandle = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
                    }
                    return visible.Select(m => (m.Id, m.ReceiptHandle!, m.Body, Md5(m.Body))).ToList();
                }
                next = arrived.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                return [];
            try
            {
                await next.WaitAsync(left, ct);
            }
            catch (TimeoutException)
            {
                return [];
            }
        }
    }

    public bool Delete(string receiptHandle)
    {
        lock (gate)
            return messages.RemoveAll(m => m.ReceiptHandle == receiptHandle) > 0;
    }

    public static string Md5(string body) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(body))).ToLowerInvariant();

    private sealed class Message(string id, string body)
    {
        public string Id { get; } = id;
        public string Body { get; } = body;
        public long Sequence { get; init; }
        public DateTimeOffset InvisibleUntil { get; set; } = DateTimeOffset.MinValue;
        public string? ReceiptHandle { get; set; }
    }
}
