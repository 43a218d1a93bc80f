using System.Globalization;

namespace SkyServe.Providers.Aws.Query;

/// <summary>
/// The form fields of one Query API call, flattened as EC2 expects: lists are <c>Name.1</c>, <c>Name.2</c>...,
/// structures are <c>Name.Member</c>. Fields keep the order they were added in.
/// </summary>
public sealed class QueryParameters
{
    private readonly List<KeyValuePair<string, string>> fields = [];

    public QueryParameters(string action, string version)
    {
        Add("Action", action);
        Add("Version", version);
    }

    public string Action => fields[0].Value;

    public IReadOnlyList<KeyValuePair<string, string>> Fields => fields;

    public QueryParameters Add(string name, string value)
    {
        fields.Add(new(name, value));
        return this;
    }

    public QueryParameters Add(string name, int value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>prefix.1=a&amp;prefix.2=b</c>.</summary>
    public QueryParameters AddList(string prefix, IEnumerable<string> values)
    {
        var i = 0;
        foreach (var value in values)
            Add($"{prefix}.{++i}", value);
        return this;
    }

    /// <summary>EC2 filters: <c>Filter.N.Name</c> and <c>Filter.N.Value.M</c>.</summary>
    public QueryParameters AddFilters(IEnumerable<(string Name, IReadOnlyCollection<string> Values)> filters)
    {
        var i = 0;
        foreach (var (name, values) in filters)
        {
            i++;
            Add($"Filter.{i}.Name", name);
            AddList($"Filter.{i}.Value", values);
        }
        return this;
    }

    /// <summary>A copy with the paging token set (or replaced).</summary>
    public QueryParameters WithNextToken(string? token)
    {
        var copy = new QueryParameters(fields[0].Value, fields[1].Value);
        foreach (var field in fields.Skip(2).Where(f => f.Key != "NextToken"))
            copy.Add(field.Key, field.Value);
        return token is null ? copy : copy.Add("NextToken", token);
    }
}
