using System.Text;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>The fields of a Query API request (form body or query string), with EC2's list and structure conventions.</summary>
public sealed class QueryForm(IReadOnlyList<KeyValuePair<string, string>> fields)
{
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; } = fields;

    public string? this[string name] => Fields.LastOrDefault(f => f.Key == name) is { Key: not null } f ? f.Value : null;

    public string Required(string name) =>
        this[name] is { Length: > 0 } value ? value : throw new Ec2Fault("MissingParameter", $"The request must contain the parameter {name}");

    public int? Int(string name)
    {
        if (this[name] is not { } text)
            return null;
        return int.TryParse(text, out var value) ? value : throw new Ec2Fault("InvalidParameterValue", $"Invalid value '{text}' for {name}");
    }

    /// <summary>prefix.1, prefix.2, ... in index order.</summary>
    public IReadOnlyList<string> List(string prefix) => Fields
        .Where(f => f.Key.StartsWith(prefix + ".", StringComparison.Ordinal) && int.TryParse(f.Key[(prefix.Length + 1)..], out _))
        .OrderBy(f => int.Parse(f.Key[(prefix.Length + 1)..]))
        .Select(f => f.Value)
        .ToList();

    /// <summary>The indexes N present under prefix.N.*.</summary>
    public IReadOnlyList<int> Indexes(string prefix) => Fields
        .Where(f => f.Key.StartsWith(prefix + ".", StringComparison.Ordinal))
        .Select(f => f.Key[(prefix.Length + 1)..].Split('.')[0])
        .Where(n => int.TryParse(n, out _))
        .Select(int.Parse)
        .Distinct().Order().ToList();

    /// <summary>EC2 filters: Filter.N.Name with Filter.N.Value.M.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<string> Values)> Filters() =>
        Indexes("Filter").Select(n => (Required($"Filter.{n}.Name"), List($"Filter.{n}.Value"))).ToList();

    /// <summary>Decodes a form body (application/x-www-form-urlencoded).</summary>
    public static QueryForm Parse(string body)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            fields.Add(new(Decode(parts[0]), parts.Length > 1 ? Decode(parts[1]) : ""));
        }
        return new QueryForm(fields);
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    /// <summary>A stable fingerprint of the request's fields, for client-token idempotency.</summary>
    public string Fingerprint(params string[] ignore)
    {
        var builder = new StringBuilder();
        foreach (var field in Fields.Where(f => !ignore.Contains(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal))
            builder.Append(field.Key).Append('=').Append(field.Value).Append('\n');
        return builder.ToString();
    }
}
