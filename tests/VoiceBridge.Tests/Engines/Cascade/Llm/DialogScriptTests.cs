using Microsoft.Extensions.AI;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Tests.Media;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

public sealed class DialogScriptTests
{
    private const string Clinic = """
        {
          "reprompt": "Pardon?",
          "fallback": "We do check-ups.",
          "slots": [ { "name": "day", "ask": "What day?", "patterns": [ "\\b(monday|friday)\\b" ] } ],
          "intents": [
            { "name": "visit", "patterns": [ "\\bvisit\\b" ], "slots": [ "day" ], "tool": "check_availability",
              "toolArguments": { "day": "{day}" }, "reply": "See you {day}.", "confirm": "{day}: {output.slots}." }
          ]
        }
        """;

    [Fact]
    public async Task A_script_file_drives_the_dialog()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("clinic.json"), Clinic);
        var dialog = new DialogHarness(new ScriptedDialogChatClient(DialogScript.Load(dir.File("clinic.json"))));

        Assert.Equal("What day?", (await dialog.SayAsync("I'd like a visit.")).Text);
        var check = await dialog.SayAsync("Monday");
        Assert.Equal(("", "monday"), (check.Text, check.Call!.Arguments!["day"]));
        Assert.Equal("monday: 10:00 and 14:30.", (await dialog.RunToolAsync(check.Call)).Text);
        Assert.Equal("Pardon?", (await dialog.SayAsync(ConversationMessages.UnrecognisedMarker)).Text);
    }

    [Fact]
    public void The_built_in_script_is_its_own_published_json()
    {
        var parsed = DialogScript.Parse(DialogScript.BrightSmileDentalJson, "test");

        Assert.Equal(
            ["cancel", "move", "book", "saturday", "hours", "goodbye", "name"],
            parsed.Intents.Select(i => i.Name));
        Assert.Equal(["day", "time", "name"], DialogScript.BrightSmileDental.Slots.Select(s => s.Name));
    }

    [Theory]
    [InlineData("""{"reprompt":"r","fallback":"f","slots":[],"intents":[{"name":"x","patterns":[],"reply":"r","slots":["day"]}]}""", "slot 'day'")]
    [InlineData("""{"reprompt":"r","fallback":"f","slots":[],"intents":[{"name":"x","patterns":["(unclosed"],"reply":"r"}]}""", "(unclosed")]
    [InlineData("""{"reprompt":"r","fallback":"f","slots":[],"intents":[],"colour":"blue"}""", "colour")]
    [InlineData("""{"fallback":"f","slots":[],"intents":[]}""", "reprompt")]
    public void A_bad_script_is_an_error_naming_the_file_and_the_problem(string json, string problem)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.json");
        File.WriteAllText(path, json);

        var error = Assert.Throws<InvalidDataException>(() => DialogScript.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        var error = Assert.Throws<InvalidDataException>(() => DialogScript.Load("/nonexistent/dialog.json"));

        Assert.Contains("/nonexistent/dialog.json", error.Message);
    }

    [Fact]
    public async Task Another_model_sees_the_scripted_client_as_any_chat_client()
    {
        IChatClient client = new ScriptedDialogChatClient(DialogScript.Parse(Clinic, "test"));

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]);

        Assert.Equal(("We do check-ups.", ChatFinishReason.Stop), (response.Text, response.FinishReason));
    }
}
