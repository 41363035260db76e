#include "plugins/text_analysis/internal/stop_words.hpp"

namespace nzl::plugins::text_analysis::internal {

namespace {

// Function words of each language: articles, pronouns, auxiliaries,
// prepositions, conjunctions and the commonest adverbs.
constexpr std::string_view english =
    "a about above after again against all also am an and any are aren't as at be because been "
    "before being below between both but by can can't cannot could couldn't did didn't do does "
    "doesn't doing don't down during each even ever every few for from further get gets got had "
    "hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him "
    "himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself "
    "just let's like may me might more most much must mustn't my myself no nor not now of off on "
    "once one only or other ought our ours ourselves out over own quite rather really same "
    "shall shan't she she'd she'll she's should shouldn't so some such than that that's the "
    "their theirs them themselves then there there's these they they'd they'll they're they've "
    "this those though through to too under until up upon us very was wasn't we we'd we'll "
    "we're we've were weren't what what's when when's where where's whether which while who "
    "who's whom whose why why's will with within without won't would wouldn't yet you you'd "
    "you'll you're you've your yours yourself yourselves";

constexpr std::string_view german =
    "aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin "
    "bis bist da damit dann das dass dein deine dem den denn der des dich die dies diese diesem "
    "diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines er es etwas "
    "euch euer für gegen hab habe haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre im "
    "in ist ja jede jedem jeden jeder jetzt kann kein keine können man mein meine mich mir mit "
    "muss nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so solche "
    "soll sondern um und uns unser unter viel vom von vor war waren was weil welche wenn wer "
    "werden wie wieder will wir wird wo wollen zu zum zur über";

constexpr std::string_view french =
    "a ai au aux avec avoir c ce cela ces cet cette ceux d dans de des donc du elle elles en est "
    "et être eu fait il ils j je l la le les leur leurs lui m ma mais me même mes moi mon n ne "
    "ni nos notre nous on ont ou où par pas peu plus pour qu que qui s sa sans se ses si son "
    "sont sur t ta te tes toi ton tous tout toute très tu un une vos votre vous y à ça été";

constexpr std::string_view spanish =
    "a al algo algunos ante antes como con contra cual cuando de del desde donde durante e el "
    "ella ellas ellos en entre era es esa ese eso esta estaba estar este esto estos fue ha han "
    "hay la las le les lo los me mi mis muy más mí nada ni no nos nosotros o os otra otro para "
    "pero poco por porque que quien se sea ser si sin sobre su sus también tanto te tiene todo "
    "todos tu tus un una uno unos y ya yo él";

constexpr std::string_view italian =
    "a ad al alla alle anche c che chi ci come con cui da dal dalla degli dei del della delle "
    "di e ed era essere gli ha hanno ho i il in io la le lei lo loro lui ma mi mia mio ne negli "
    "nei nel nella no noi non o per perché più quale quando questa questo se si sono su sua suo "
    "tra tu tutto un una uno vi voi è";

constexpr std::string_view portuguese =
    "a ao aos as até com como da das de dela dele do dos e ela elas ele eles em entre era essa "
    "esse esta este eu foi há isso isto já lhe mais mas me mesmo meu minha muito na nas não nem "
    "no nos nós o os ou para pela pelo por qual quando que quem se sem ser seu seus sua suas só "
    "também te tem tu um uma você é";

constexpr std::string_view dutch =
    "aan al als bij dan dat de der deze die dit door du een en er had heb hebben heeft hem het "
    "hier hij hoe hun ik in is ja je kan maar me meer men met mij mijn na naar niet niets nog nu "
    "of om omdat ons ook op over te tegen toch toen tot u uit van veel voor want waren was wat we "
    "wel werd wie wij wordt zal ze zelf zich zij zijn zo zonder zou";

stop_word_set split(std::string_view words) {
  stop_word_set out;
  while (!words.empty()) {
    const auto sp = words.find(' ');
    out.insert(words.substr(0, sp));
    words = sp == std::string_view::npos ? std::string_view{} : words.substr(sp + 1);
  }
  return out;
}

} // namespace

const stop_word_set* stop_words(std::string_view language) noexcept {
  static const stop_word_set en = split(english);
  static const stop_word_set de = split(german);
  static const stop_word_set fr = split(french);
  static const stop_word_set es = split(spanish);
  static const stop_word_set it = split(italian);
  static const stop_word_set pt = split(portuguese);
  static const stop_word_set nl = split(dutch);
  if (language == "en")
    return &en;
  if (language == "de")
    return &de;
  if (language == "fr")
    return &fr;
  if (language == "es")
    return &es;
  if (language == "it")
    return &it;
  if (language == "pt")
    return &pt;
  if (language == "nl")
    return &nl;
  return nullptr;
}

} // namespace nzl::plugins::text_analysis::internal
