using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace VoiceBridge.Simulator;

/// <summary>
/// What the simulated provider says. The first rule whose pattern matches the caller's transcript
/// answers; a rule may first call a tool and then speak with its output (<c>{output}</c>), and
/// <c>{transcript}</c> and <c>{1}</c>.. insert what the caller said. Loaded from JSON
/// (<see cref="Load"/>) or the built-in dental-clinic script.
/// </summary>
public sealed class SimulatorScript
{
    public required IReadOnlyList<SimulatorRule> Rules { get; init; }

    /// <summary>Said when no rule matches (including when the transcript is unknown).</summary>
    public string Fallback { get; init; } = "Sure. Is there anything else I can help you with?";

    public static SimulatorScript Default { get; } = new()
    {
        Rules =
        [
            // Keys the caller pressed reach the provider as a user text message (Call.DtmfText).
            new() { Pattern = @"^\[dtmf ([0-9a-d*#]+)\]$", Reply = "I got {1} on your keypad." },
            new() { Pattern = @"\bcancel\b", Reply = "I can help with that. Which appointment would you like to cancel?" },
            new()
            {
                Pattern = @"\b(book|appointment)\b",
                Tool = "check_availability",
                ToolArguments = """{"day":"tomorrow"}""",
                Reply = "Happy to help. We have openings tomorrow at {output}. Which time works for you?",
            },
            new() { Pattern = @"\bopening hours\b|\bhours\b", Reply = "We are open Monday to Friday, eight to six, and Saturday mornings." },
            new() { Pattern = @"\bsaturday\b", Reply = "Yes, we are open on Saturday from nine to one." },
            new() { Pattern = @"\bmy name is ([a-z]+(?: [a-z]+)?)", Reply = "Thank you, {1}. You are all set." },
            new() { Pattern = @"\b(goodbye|that is all|thank you)\b", Reply = "Thank you for calling Bright Smile Dental. Goodbye!" },
            new() { Pattern = @"\b(tomorrow|afternoon|morning|friday|o'clock)\b", Reply = "Got it. May I have your name, please?" },
        ],
    };

    /// <summary>Reads a script file; a bad file is an error naming the file and the problem.</summary>
    public static SimulatorScript Load(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<ScriptFile>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException("the file is empty");
            var script = new SimulatorScript { Rules = file.Rules ?? [], Fallback = file.Fallback ?? Default.Fallback };
            foreach (var rule in script.Rules)
            {
                _ = new Regex(rule.Pattern);
            }

            return script;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or ArgumentException or IOException)
        {
            throw new InvalidDataException($"{path}: not a valid simulator script: {e.Message}", e);
        }
    }

    /// <summary>The rule that answers <paramref name="transcript"/>, and its reply with captures filled in.</summary>
    public (SimulatorRule? Rule, string Reply) Answer(string? transcript)
    {
        var text = (transcript ?? "").ToLowerInvariant();
        foreach (var rule in Rules)
        {
            var match = Regex.Match(text, rule.Pattern, RegexOptions.CultureInvariant);
            if (!match.Success)
            {
                continue;
            }

            var reply = rule.Reply.Replace("{transcript}", transcript ?? "", StringComparison.Ordinal);
            for (var g = 1; g < match.Groups.Count; g++)
            {
                reply = reply.Replace("{" + g + "}", Capitalize(match.Groups[g].Value), StringComparison.Ordinal);
            }

            return (rule, reply);
        }

        return (null, Fallback);
    }

    private static string Capitalize(string words) =>
        string.Join(' ', words.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record ScriptFile(List<SimulatorRule>? Rules, string? Fallback);
}

/// <summary>One scripted answer: a regex over the lower-cased transcript, an optional tool call, a reply.</summary>
public sealed record SimulatorRule
{
    [JsonRequired]
    public string Pattern { get; init; } = "";

    [JsonRequired]
    public string Reply { get; init; } = "";

    /// <summary>A tool to call before replying; the reply may use <c>{output}</c>.</summary>
    public string? Tool { get; init; }

    public string? ToolArguments { get; init; }
}
