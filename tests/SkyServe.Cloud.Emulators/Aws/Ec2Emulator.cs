using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>
/// Amazon EC2 (and the SQS queue an EventBridge rule fills with spot interruption warnings) on a loopback
/// Kestrel port, speaking the real wire formats: EC2's Query API POSTs signed with Signature V4 (checked here
/// by recomputing the signature), XML answers in the 2016-11-15 namespace, EC2's error envelope and status
/// codes; SQS in the AWS JSON 1.0 protocol that AWSSDK.SQS 4 speaks (X-Amz-Target: AmazonSQS.Action,
/// errors with x-amzn-query-error). One endpoint serves every region; the region is the one in the request's credential scope.
/// Scriptable: spot capacity per zone, vCPU quotas, reclaims, denied actions, one-off faults. Every
/// request is recorded.
/// </summary>
public sealed class Ec2Emulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Ec2EmulatorOptions options;
    private readonly TimeProvider time;
    private readonly TimeProvider signingClock;
    private readonly ConcurrentDictionary<string, string> secrets;
    private readonly ConcurrentDictionary<string, HashSet<string>> denied = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Action, Ec2Fault Fault)> faults = new();
    private readonly List<RecordedRequest> requests = [];

    private Ec2Emulator(WebApplication app, Ec2EmulatorOptions options, TimeProvider time)
    {
        this.app = app;
        this.options = options;
        this.time = time;
        signingClock = options.SigningClock ?? time;
        secrets = new ConcurrentDictionary<string, string>(options.Credentials, StringComparer.Ordinal);
        Queue = new EmulatedQueue(options.InterruptionQueueName, time);
        World = new Ec2World(options, time, Queue);
    }

    /// <summary>http://127.0.0.1:port — the EC2 endpoint of every region.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The interruption queue's URL (the emulator's own host, AWS's path form /account/name).</summary>
    public string QueueUrl => $"{Url}/{options.AccountId}/{options.InterruptionQueueName}";

    public Ec2World World { get; }

    public EmulatedQueue Queue { get; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (requests)
                return requests.ToList();
        }
    }

    public IReadOnlyList<RecordedRequest> RequestsFor(string action) => Requests.Where(r => r.Action == action).ToList();

    public static async Task<Ec2Emulator> StartAsync(Ec2EmulatorOptions options, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var emulator = new Ec2Emulator(app, options, time ?? TimeProvider.System);
        app.Map("/{**path}", emulator.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Url = address.TrimEnd('/');
        return emulator;
    }

    // ---- scripting ----

    public void AddCredentials(string accessKey, string secret) => secrets[accessKey] = secret;

    public void RemoveCredentials(string accessKey) => secrets.TryRemove(accessKey, out _);

    /// <summary>The key's policy no longer allows these actions: they answer UnauthorizedOperation (403).</summary>
    public void Deny(string accessKey, params string[] actions) =>
        denied.AddOrUpdate(accessKey, _ => [.. actions], (_, set) => { lock (set) set.UnionWith(actions); return set; });

    /// <summary>The next <paramref name="times"/> calls of <paramref name="action"/> answer this error instead.</summary>
    public void FailNext(string action, string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest, int times = 1)
    {
        for (var i = 0; i < times; i++)
            faults.Enqueue((action, new Ec2Fault(code, message, status)));
    }

    // ---- the wire ----

    private async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var service = target.StartsWith(SqsTargetPrefix, StringComparison.Ordinal) ? "sqs" : "ec2";
        QueryForm form;
        string action;
        if (service == "sqs")
        {
            action = target[SqsTargetPrefix.Length..];
            form = JsonForm(body);
        }
        else
        {
            form = QueryForm.Parse(context.Request.Method == "GET"
                ? context.Request.QueryString.Value?.TrimStart('?') ?? ""
                : Encoding.UTF8.GetString(body));
            action = form["Action"] ?? "";
        }
        SigV4Authorization? auth = null;
        try
        {
            auth = SigV4Verifier.Verify(context, body, service, key => secrets.TryGetValue(key, out var s) ? s : null, signingClock.GetUtcNow(), options.AllowedClockSkew);
            if (TakeFault(action) is { } fault)
                throw fault;
            if (denied.TryGetValue(auth.AccessKey, out var actions) && Denies(actions, action))
                throw new Ec2Fault(service == "ec2" ? "UnauthorizedOperation" : "AccessDenied",
                    $"You are not authorized to perform this operation. User: arn:aws:iam::{options.AccountId}:user/{auth.AccessKey} is not authorized to perform: {service}:{action}",
                    HttpStatusCode.Forbidden);
            if (service == "ec2")
            {
                var answer = World.Handle(auth.Region, action, form, requestId);
                Record(service, action, auth, form, 200, null);
                await WriteAsync(context, HttpStatusCode.OK, answer);
            }
            else
            {
                var answer = await HandleSqsAsync(action, form, context.RequestAborted);
                Record(service, action, auth, form, 200, null);
                await WriteJsonAsync(context, HttpStatusCode.OK, answer, requestId);
            }
        }
        catch (Ec2Fault fault)
        {
            Record(service, action, auth, form, (int)fault.Status, fault.Code);
            if (service == "ec2")
                await WriteAsync(context, fault.Status, Ec2Responses.Error(fault.Code, fault.Message, requestId));
            else
                await WriteJsonAsync(context, fault.Status, SqsError(context, fault), requestId);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (a long poll being cancelled): nobody to answer.
        }
    }

    private const string SqsTargetPrefix = "AmazonSQS.";

    /// <summary>The top-level fields of an AWS JSON request body, as a form (numbers and strings as text), for recording.</summary>
    private static QueryForm JsonForm(byte[] body)
    {
        var fields = new List<KeyValuePair<string, string>>();
        try
        {
            if (JsonNode.Parse(body) is JsonObject json)
                foreach (var (name, value) in json)
                    if (value is JsonValue scalar)
                        fields.Add(new(name, scalar.GetValueKind() == JsonValueKind.String ? scalar.GetValue<string>() : scalar.ToJsonString()));
        }
        catch (JsonException)
        {
            throw new Ec2Fault("SerializationException", "The request body is not valid JSON.");
        }
        return new QueryForm(fields);
    }

    private async Task<JsonObject> HandleSqsAsync(string action, QueryForm form, CancellationToken ct)
    {
        var queueUrl = form.Required("QueueUrl");
        if (!Uri.TryCreate(queueUrl, UriKind.Absolute, out var url) || url.AbsolutePath.TrimEnd('/') != $"/{options.AccountId}/{options.InterruptionQueueName}")
            throw new Ec2Fault("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
        switch (action)
        {
            case "ReceiveMessage":
            {
                var max = form.Int("MaxNumberOfMessages") ?? 1;
                var wait = form.Int("WaitTimeSeconds") ?? 0;
                if (max is < 1 or > 10)
                    throw new Ec2Fault("InvalidParameterValue", $"Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
                if (wait is < 0 or > 20)
                    throw new Ec2Fault("InvalidParameterValue", $"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
                var messages = await Queue.ReceiveAsync(max, TimeSpan.FromSeconds(wait), ct);
                var answer = new JsonObject();
                if (messages.Count > 0) // SQS leaves the member out when nothing came
                    answer["Messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject
                    {
                        ["MessageId"] = m.MessageId,
                        ["ReceiptHandle"] = m.ReceiptHandle,
                        ["MD5OfBody"] = m.Md5,
                        ["Body"] = m.Body,
                    }).ToArray());
                return answer;
            }
            case "DeleteMessage":
                if (!Queue.Delete(form.Required("ReceiptHandle")))
                    throw new Ec2Fault("ReceiptHandleIsInvalid", $"The input receipt handle \"{form["ReceiptHandle"]}\" is not a valid receipt handle.");
                return new JsonObject();
            default:
                throw new Ec2Fault("InvalidAction", $"The action {action} is not valid for this endpoint.");
        }
    }

    /// <summary>
    /// SQS's JSON error: <c>__type</c> names the shape, <c>x-amzn-query-error</c> carries the Query-era code
    /// (AWS.SimpleQueueService.NonExistentQueue, ...) and fault side, which the SDK reports as the error code.
    /// </summary>
    private static JsonObject SqsError(HttpContext context, Ec2Fault fault)
    {
        var shape = fault.Code switch
        {
            "AWS.SimpleQueueService.NonExistentQueue" => "QueueDoesNotExist",
            "ReceiptHandleIsInvalid" => "ReceiptHandleIsInvalid",
            _ => fault.Code,
        };
        context.Response.Headers["x-amzn-query-error"] = $"{fault.Code};{((int)fault.Status >= 500 ? "Receiver" : "Sender")}";
        return new JsonObject { ["__type"] = $"com.amazonaws.sqs#{shape}", ["message"] = fault.Message };
    }

    private static bool Denies(HashSet<string> actions, string action)
    {
        lock (actions)
            return actions.Contains("*") || actions.Contains(action);
    }

    private Ec2Fault? TakeFault(string action)
    {
        lock (faults)
        {
            var all = faults.ToArray();
            var index = Array.FindIndex(all, f => f.Action == action);
            if (index < 0)
                return null;
            faults.Clear();
            for (var i = 0; i < all.Length; i++)
                if (i != index)
                    faults.Enqueue(all[i]);
            return all[index].Fault;
        }
    }

    private void Record(string service, string action, SigV4Authorization? auth, QueryForm form, int status, string? error)
    {
        lock (requests)
            requests.Add(new RecordedRequest(service, action, auth?.Region ?? "", auth?.AccessKey ?? "", form.Fields, status, error));
    }

    private async Task WriteJsonAsync(HttpContext context, HttpStatusCode status, JsonObject body, string requestId)
    {
        context.Response.StatusCode = (int)status;
        context.Response.Headers.Date = signingClock.GetUtcNow().ToString("R");
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        context.Response.ContentType = "application/x-amz-json-1.0";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private async Task WriteAsync(HttpContext context, HttpStatusCode status, XElement body)
    {
        context.Response.StatusCode = (int)status;
        context.Response.Headers.Date = signingClock.GetUtcNow().ToString("R");
        context.Response.ContentType = "text/xml;charset=UTF-8";
        var text = new XDocument(new XDeclaration("1.0", "UTF-8", null), body).Declaration + "\n" + body.ToString(SaveOptions.DisableFormatting);
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
