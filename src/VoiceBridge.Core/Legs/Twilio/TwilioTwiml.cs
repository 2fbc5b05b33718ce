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
    /// Twilio hands the parameters back in the <c>start</c> message's <c>customParameters</c>. With
    /// <paramref name="actionUrl"/>, <c>&lt;Connect action=".."&gt;</c>: when the stream ends, Twilio
    /// fetches new TwiML there (otherwise no verb follows and Twilio hangs up).
    /// </summary>
    public static string ConnectStream(string streamWssUrl, IReadOnlyDictionary<string, string> parameters, string? actionUrl = null)
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

        var connect = actionUrl is null ? new Connect() : new Connect(action: new Uri(actionUrl, UriKind.RelativeOrAbsolute));
        return new VoiceResponse().Append(connect.Append(stream)).ToString(SaveOptions.DisableFormatting);
    }

    /// <summary><c>&lt;Response&gt;&lt;Hangup/&gt;&lt;/Response&gt;</c>: the call is over.</summary>
    public static string Hangup() => new VoiceResponse().Hangup().ToString(SaveOptions.DisableFormatting);

    /// <summary>
    /// The TwiML that transfers a call: <c>&lt;Response&gt;&lt;Dial&gt;+15551234567&lt;/Dial&gt;&lt;/Response&gt;</c>
    /// for a phone number, <c>&lt;Dial&gt;&lt;Sip&gt;sip:..&lt;/Sip&gt;&lt;/Dial&gt;</c> for a SIP URI.
    /// <paramref name="target"/> is a validated transfer target (<see cref="Call.Tools.TransferTarget"/>).
    /// </summary>
    public static string Dial(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var dial = Call.Tools.TransferTarget.IsSip(target)
            ? new global::Twilio.TwiML.Voice.Dial().Sip(new Uri(target))
            : new global::Twilio.TwiML.Voice.Dial(number: target);
        return new VoiceResponse().Append(dial).ToString(SaveOptions.DisableFormatting);
    }
}
