using System.Xml.Linq;
using global::Twilio.TwiML;
using global::Twilio.TwiML.Voice;
using TwimlStream = global::Twilio.TwiML.Voice.Stream;

namespace VoiceBridge.Legs.Twilio;

/// <summary>Builds the TwiML that connects a call to the bridge's Media Streams WebSocket.</summary>
public static class TwilioTwiml
{
    /// <summary>
    /// <c>&lt;Response&gt;&lt;Connect&gt;&lt;Stream url=".."&gt;&lt;Parameter name=".." value=".."/&gt;..</c>;
    /// Twilio hands the parameters back in the <c>start</c> message's <c>customParameters</c>.
    /// </summary>
    public static string ConnectStream(string streamWssUrl, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!Uri.TryCreate(streamWssUrl, UriKind.Absolute, out Uri? url) || url.Scheme is not ("wss" or "ws"))
        {
            throw new ArgumentException($"'{streamWssUrl}' is not an absolute wss:// or ws:// URL.", nameof(streamWssUrl));
        }

        var stream = new TwimlStream(url: streamWssUrl);
        foreach ((string name, string value) in parameters)
        {
            stream.Parameter(name: name, value: value);
        }

        return new VoiceResponse().Append(new Connect().Append(stream)).ToString(SaveOptions.DisableFormatting);
    }
}
