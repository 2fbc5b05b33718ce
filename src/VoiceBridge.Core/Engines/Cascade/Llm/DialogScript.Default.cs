namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>The built-in script, in the same JSON a deployment may load from a file.</summary>
public sealed partial class DialogScript
{
    /// <summary>The Bright Smile Dental script as JSON: a starting point for a script file of one's own.</summary>
    public const string BrightSmileDentalJson = """
        {
          // The embedded default brain of the local cascade: a dental clinic's front desk.
          "reprompt": "Sorry, I didn't catch that. Could you say it again?",
          "fallback": "I can book, cancel or move an appointment, or tell you our opening hours. What would you like to do?",
          "dtmf": "You pressed {digits}.",
          "slots": [
            {
              "name": "day",
              "ask": "Which day would that be?",
              "format": "title",
              "patterns": [ "\\b(today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b" ]
            },
            {
              "name": "time",
              "ask": "And what time would you like?",
              "patterns": [
                "\\b((?:[01]?\\d|2[0-3])(?::[0-5]\\d)? ?(?:am|pm|a m|p m|o'clock))\\b",
                "\\bat ((?:[01]?\\d|2[0-3])(?::[0-5]\\d)?)\\b",
                "\\bat ((?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?: (?:fifteen|thirty|forty five|o'clock))?(?: (?:am|pm|a m|p m|in the morning|in the afternoon))?)\\b",
                "\\b(noon|midday)\\b",
                "\\b(?:in the )?(morning|afternoon)\\b"
              ],
              "answerPatterns": [
                "^((?:[01]?\\d|2[0-3])(?::[0-5]\\d)?)$",
                "^((?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?: (?:fifteen|thirty|forty five|o'clock))?)(?: please)?$"
              ]
            },
            {
              "name": "name",
              "ask": "May I have your name, please?",
              "format": "title",
              "keep": true,
              "patterns": [ "\\b(?:my name is|my name's|name is|under the name) ((?!and\\b|i\\b|please\\b)[a-z]+(?: (?!and\\b|i\\b|i'd\\b|please\\b)[a-z]+)?)" ],
              "answerPatterns": [ "^(?:it's |it is |this is |i'm |i am )?((?!yes\\b|no\\b|sorry\\b|what\\b|hello\\b|hi\\b)[a-z]+(?: [a-z]+)?)(?: please)?$" ]
            }
          ],
          "intents": [
            {
              "name": "cancel",
              "patterns": [ "\\bcancel" ],
              "slots": [ "name", "day" ],
              "start": "I can help you cancel.",
              "reply": "Done, {name}. I've cancelled your appointment on {day}. Is there anything else I can help with?"
            },
            {
              "name": "move",
              "patterns": [ "\\b(move|reschedule|change)\\b" ],
              "slots": [ "name", "day", "time" ],
              "start": "Sure, let's find you a new time.",
              "tool": "check_availability",
              "toolArguments": { "day": "{day}" },
              "checking": "Let me check {day} for you.",
              "reply": "Done, {name}. Your appointment is now on {day} at {time}.",
              "confirm": "Done, {name}. {day} has openings at {output.slots}, and I've moved your appointment to {day} at {time}."
            },
            {
              "name": "book",
              "patterns": [ "\\b(book|booking|appointment|schedule|check ?up|cleaning)\\b" ],
              "slots": [ "day", "time", "name" ],
              "start": "Sure, I can help you book an appointment.",
              "tool": "check_availability",
              "toolArguments": { "day": "{day}" },
              "checking": "One moment while I check {day}.",
              "reply": "Thank you, {name}. You're booked for {day} at {time}.",
              "confirm": "Thank you, {name}. {day} has openings at {output.slots}, and I've booked you in for {day} at {time}. See you then!"
            },
            {
              "name": "saturday",
              "patterns": [ "\\bsaturdays?\\b" ],
              "reply": "Yes, we're open on Saturdays from nine to one."
            },
            {
              "name": "hours",
              "patterns": [ "\\b(hours|open|opening|close|closing)\\b" ],
              "reply": "We're open Monday to Friday, eight to six, and Saturday mornings, nine to one."
            },
            {
              "name": "goodbye",
              "patterns": [ "\\b(goodbye|bye|that's all|that is all|nothing else|thank you|thanks)\\b" ],
              "reply": "Thank you for calling Bright Smile Dental. Goodbye!"
            },
            {
              "name": "name",
              "patterns": [ "\\b(my name is|my name's|name is)\\b" ],
              "reply": "Nice to meet you, {name}. How can I help you today?"
            }
          ]
        }
        """;
}
