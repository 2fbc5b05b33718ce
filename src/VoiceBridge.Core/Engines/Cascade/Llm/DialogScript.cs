using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// What the <see cref="ScriptedDialogChatClient"/> understands and says: slots it fills from the
/// caller's words, intents it recognises, and its replies. Patterns are regular expressions over
/// the caller's lower-cased words (punctuation other than <c>'</c> and <c>:</c> removed); replies may
/// use <c>{slot}</c>, <c>{output}</c> and <c>{output.field}</c> (a tool result's JSON field; a list
/// is spoken as "a, b and c"). Loaded from JSON (<see cref="Load"/>, <see cref="Parse"/>) or the
/// built-in <see cref="BrightSmileDental"/>.
/// </summary>
public sealed partial class DialogScript
{
    // Declared before BrightSmileDental: static initialisers run in text order.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new RegexConverter() },
    };

    /// <summary>Said when the caller's words were not recognised.</summary>
    public required string Reprompt { get; init; }

    /// <summary>Said when nothing matches and no task is under way.</summary>
    public required string Fallback { get; init; }

    /// <summary>
    /// Said when the caller pressed keys (a <c>[DTMF 1234#]</c> message, see <see cref="Call.DtmfText"/>),
    /// with <c>{digits}</c> the keys; then the dialog goes on where it was (the question it is waiting
    /// on, else the fallback) ["You pressed {digits}."].
    /// </summary>
    public string Dtmf { get; init; } = "You pressed {digits}.";

    public required IReadOnlyList<DialogSlot> Slots { get; init; }

    /// <summary>In priority order: the first intent whose pattern matches wins.</summary>
    public required IReadOnlyList<DialogIntent> Intents { get; init; }

    /// <summary>The demo clinic: book, cancel, move, hours, saturday, name, goodbye.</summary>
    public static DialogScript BrightSmileDental { get; } = Parse(BrightSmileDentalJson, "built-in Bright Smile Dental script");

    internal DialogSlot Slot(string name) => Slots.First(s => s.Name == name);

    /// <summary>Reads a script file; a bad file is an error naming the file and the problem.</summary>
    public static DialogScript Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{path}: cannot read the dialog script: {e.Message}", e);
        }

        return Parse(json, path);
    }

    /// <summary>Parses a script; <paramref name="source"/> names it in errors.</summary>
    public static DialogScript Parse(string json, string source)
    {
        try
        {
            var script = JsonSerializer.Deserialize<DialogScript>(json, JsonOptions) ?? throw new InvalidDataException("the script is empty");
            script.Validate();
            return script;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: not a valid dialog script: {e.Message}", e);
        }
    }

    private void Validate()
    {
        var slotNames = Slots.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var intent in Intents)
        {
            if (intent.Slots.FirstOrDefault(s => !slotNames.Contains(s)) is { } unknown)
            {
                throw new InvalidDataException($"intent '{intent.Name}' needs slot '{unknown}', which the script does not define");
            }

            if (intent.Tool is not null && intent.Slots.Count == 0)
            {
                throw new InvalidDataException($"intent '{intent.Name}' calls a tool but has no slots: only tasks call tools");
            }
        }
    }

}

/// <summary>Reads a pattern string as a culture-invariant regex with a match timeout.</summary>
internal sealed class RegexConverter : JsonConverter<Regex>
{
    public override Regex Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("a pattern is null"), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    public override void Write(Utf8JsonWriter writer, Regex value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

/// <summary>
/// A piece of information the dialog collects. A value is a pattern's first non-empty capture
/// (else its whole match); <see cref="AnswerPatterns"/> are tried only when this slot was just
/// asked for (a bare "Maria Lopez" answers "May I have your name?").
/// </summary>
public sealed record DialogSlot
{
    [JsonRequired]
    public string Name { get; init; } = "";

    [JsonRequired]
    public string Ask { get; init; } = "";

    public IReadOnlyList<Regex> Patterns { get; init; } = [];

    public IReadOnlyList<Regex> AnswerPatterns { get; init; } = [];

    /// <summary><c>title</c> capitalises each word; otherwise the words are kept as heard.</summary>
    public string? Format { get; init; }

    /// <summary>Kept when the next task starts (a name), rather than cleared (a day, a time).</summary>
    public bool Keep { get; init; }
}

/// <summary>
/// Something the caller wants. With <see cref="Slots"/> it is a task: the dialog asks for each
/// missing slot in order, then calls <see cref="Tool"/> (saying <see cref="Checking"/> first) and
/// answers its result with <see cref="Confirm"/>, or, with no tool offered, says <see cref="Reply"/>.
/// Without slots it is a question, answered with <see cref="Reply"/>.
/// </summary>
public sealed record DialogIntent
{
    [JsonRequired]
    public string Name { get; init; } = "";

    [JsonRequired]
    public IReadOnlyList<Regex> Patterns { get; init; } = [];

    [JsonRequired]
    public string Reply { get; init; } = "";

    public IReadOnlyList<string> Slots { get; init; } = [];

    /// <summary>Said before the first question when the task starts.</summary>
    public string? Start { get; init; }

    public string? Tool { get; init; }

    /// <summary>The tool's arguments: each value a template over the slots.</summary>
    public IReadOnlyDictionary<string, string> ToolArguments { get; init; } = new Dictionary<string, string>();

    public string? Checking { get; init; }

    public string? Confirm { get; init; }

    public bool IsTask => Slots.Count > 0;
}
