#include "sortie/json/hydra_value.hpp"

#include <cmath>

#include "sortie/json/hydra_value_json.hpp"

namespace sortie::json {

using Json = nlohmann::ordered_json;

Json hydra_value_json(const hydra::Value& value) {
  struct Converter {
    Json operator()(std::nullptr_t) const { return nullptr; }
    Json operator()(bool flag) const { return flag; }
    Json operator()(std::int64_t number) const { return number; }
    Json operator()(double number) const {
      // nlohmann writes finite doubles with a `.` or an exponent.
      if (std::isnan(number)) return Json{{"float", "nan"}};
      if (std::isinf(number)) return Json{{"float", number > 0 ? "inf" : "-inf"}};
      return number;
    }
    Json operator()(const std::string& text) const { return text; }
    Json operator()(const hydra::ListValue& list) const {
      Json array = Json::array();
      for (const auto& item : list.items) array.push_back(hydra_value_json(item));
      return array;
    }
    Json operator()(const hydra::DictValue& dict) const {
      Json object = Json::object();
      for (const auto& [key, item] : dict.entries) object[key] = hydra_value_json(item);
      return object;
    }
  };
  return std::visit(Converter{}, value.data);
}

std::string to_json(const hydra::Value& value, Layout layout) {
  // Values come from users' files and command lines and may hold bytes that are not UTF-8.
  return hydra_value_json(value).dump(layout == Layout::pretty ? 2 : -1, ' ', false,
                                      Json::error_handler_t::replace);
}

}  // namespace sortie::json
