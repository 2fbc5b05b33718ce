using System.Text.Json;
using System.Text.RegularExpressions;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>Fills a reply template from the slots and a tool's output.</summary>
internal sealed partial class DialogState
{
    /// <summary>
    /// <paramref name="template"/> with <c>{slot}</c>, <c>{output}</c> and <c>{output.field}</c>
    /// filled in; null when something it names is not known (the caller then says something else).
    /// </summary>
    private string? Render(string template, string? output = null)
    {
        var complete = true;
        var text = Placeholder().Replace(template, match =>
        {
            var value = Lookup(match.Groups[1].Value, output);
            complete &= value is not null;
            return value ?? "";
        });
        return complete ? text : null;
    }

    private string? Lookup(string name, string? output)
    {
        if (name == "output")
        {
            return output;
        }

        if (!name.StartsWith("output.", StringComparison.Ordinal))
        {
            return _slots.GetValueOrDefault(name);
        }

        if (output is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(output);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name["output.".Length..], out var field)
                ? Spoken(field)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A JSON value as words: a list as "a, b and c".</summary>
    private static string Spoken(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }

        var items = value.EnumerateArray().Select(Spoken).ToList();
        return items.Count <= 1 ? string.Concat(items) : string.Join(", ", items[..^1]) + " and " + items[^1];
    }

    [GeneratedRegex(@"\{([a-z_][a-z0-9_.]*)\}")]
    private static partial Regex Placeholder();
}
